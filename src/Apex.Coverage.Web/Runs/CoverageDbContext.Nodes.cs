using Apex.Coverage.Web.Runs;
using Microsoft.EntityFrameworkCore;

namespace Apex.Coverage.Web.Data;

public partial class CoverageDbContext
{
    public DbSet<DashboardNode> DashboardNodes => Set<DashboardNode>();
}
