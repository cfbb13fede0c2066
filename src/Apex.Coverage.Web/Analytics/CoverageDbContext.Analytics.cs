using Apex.Coverage.Web.Analytics;
using Microsoft.EntityFrameworkCore;

namespace Apex.Coverage.Web.Data;

public partial class CoverageDbContext
{
    public DbSet<Quarantine> Quarantines => Set<Quarantine>();

    public DbSet<CoverageSnapshot> CoverageSnapshots => Set<CoverageSnapshot>();
}
