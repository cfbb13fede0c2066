using Apex.Coverage.Web.Audit;
using Microsoft.EntityFrameworkCore;

namespace Apex.Coverage.Web.Data;

public partial class CoverageDbContext
{
    public DbSet<AuditEntry> AuditEntries => Set<AuditEntry>();
}
