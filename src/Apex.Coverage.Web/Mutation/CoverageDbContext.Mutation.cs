using Apex.Coverage.Web.Mutation;
using Microsoft.EntityFrameworkCore;

namespace Apex.Coverage.Web.Data;

public partial class CoverageDbContext
{
    public DbSet<MutationRun> MutationRuns => Set<MutationRun>();

    public DbSet<MutationFileResult> MutationFiles => Set<MutationFileResult>();

    public DbSet<MutationSurvivor> MutationSurvivors => Set<MutationSurvivor>();
}
