using Apex.Coverage.Web.Plan;
using Microsoft.EntityFrameworkCore;

namespace Apex.Coverage.Web.Data;

public partial class CoverageDbContext
{
    public DbSet<PlanVersion> PlanVersions => Set<PlanVersion>();

    public DbSet<PlanChange> PlanChanges => Set<PlanChange>();
}
