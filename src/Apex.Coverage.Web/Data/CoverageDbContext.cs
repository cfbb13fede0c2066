using Microsoft.EntityFrameworkCore;

namespace Apex.Coverage.Web.Data;

/// <summary>
/// The dashboard's one database. The class is partial so that each feature declares its own
/// DbSets in its own folder (Plan/CoverageDbContext.Plan.cs, ...) and keeps its entity
/// configurations there too; they are all picked up from this assembly.
/// </summary>
public sealed partial class CoverageDbContext(DbContextOptions<CoverageDbContext> options) : DbContext(options)
{
    protected override void OnModelCreating(ModelBuilder modelBuilder) =>
        modelBuilder.ApplyConfigurationsFromAssembly(typeof(CoverageDbContext).Assembly);
}
