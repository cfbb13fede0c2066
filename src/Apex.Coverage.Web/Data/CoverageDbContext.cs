using Apex.Coverage.Web.Access;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Identity.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore;

namespace Apex.Coverage.Web.Data;

/// <summary>
/// The dashboard's one database. The class is partial so that each feature declares its own
/// DbSets in its own folder (Plan/CoverageDbContext.Plan.cs, ...) and keeps its entity
/// configurations there too; they are all picked up from this assembly. It is not sealed only so
/// that <see cref="PostgreSql.PostgreSqlCoverageDbContext"/> can carry the PostgreSQL migrations
/// (EF Core finds a context's migrations by its exact type; ADR 0052). The Identity tables (local
/// accounts and their roles, Access/) live here too: one store, one migration history (ADR 0170).
/// </summary>
public partial class CoverageDbContext : IdentityDbContext<DashboardUser, IdentityRole, string>
{
    public CoverageDbContext(DbContextOptions<CoverageDbContext> options)
        : base(options)
    {
    }

    protected CoverageDbContext(DbContextOptions options)
        : base(options)
    {
    }

    public override Task<int> SaveChangesAsync(bool acceptAllChangesOnSuccess, CancellationToken cancellationToken = default)
    {
        OnSaving();
        return base.SaveChangesAsync(acceptAllChangesOnSuccess, cancellationToken);
    }

    public override int SaveChanges(bool acceptAllChangesOnSuccess)
    {
        OnSaving();
        return base.SaveChanges(acceptAllChangesOnSuccess);
    }

    /// <summary>Lets a feature keep its denormalised columns right before anything is written.</summary>
    partial void OnSaving();

    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        base.OnModelCreating(modelBuilder);
        modelBuilder.ApplyConfigurationsFromAssembly(typeof(CoverageDbContext).Assembly);
    }

    // One timestamp convention for the whole model (UtcTicksConverter says why); it covers the
    // nullable properties too.
    protected override void ConfigureConventions(ModelConfigurationBuilder configurationBuilder) =>
        configurationBuilder.Properties<DateTimeOffset>().HaveConversion<UtcTicksConverter>();
}
