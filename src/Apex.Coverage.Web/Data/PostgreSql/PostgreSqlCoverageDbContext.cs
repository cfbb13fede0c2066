using Microsoft.EntityFrameworkCore;

namespace Apex.Coverage.Web.Data.PostgreSql;

/// <summary>
/// The dashboard's model on PostgreSQL. It adds nothing to <see cref="CoverageDbContext"/>: it
/// exists because EF Core ties a migration to one context type, and the PostgreSQL migrations
/// (Data/PostgreSql/Migrations) must not mix with the SQLite ones (Data/Migrations). ADR 0052.
/// </summary>
public sealed class PostgreSqlCoverageDbContext(DbContextOptions<PostgreSqlCoverageDbContext> options) : CoverageDbContext(options)
{
    public static DbContextOptions<PostgreSqlCoverageDbContext> Options(string connectionString) =>
        new DbContextOptionsBuilder<PostgreSqlCoverageDbContext>().UseNpgsql(connectionString).Options;
}
