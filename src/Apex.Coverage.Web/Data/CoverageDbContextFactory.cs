using Apex.Coverage.Web.Data.PostgreSql;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Apex.Coverage.Web.Data;

/// <summary>
/// Hands out short-lived contexts on the configured store: a <see cref="CoverageDbContext"/> on
/// SQLite, a <see cref="PostgreSqlCoverageDbContext"/> (same model, its own migrations) on
/// PostgreSQL. Every feature asks for <c>IDbContextFactory&lt;CoverageDbContext&gt;</c> and never
/// learns which one it got. The options are built once, when the first context is asked for, so
/// the provider is read from the validated options rather than from raw configuration.
/// </summary>
public sealed class CoverageDbContextFactory : IDbContextFactory<CoverageDbContext>
{
    private readonly Lazy<Func<CoverageDbContext>> _create;

    public CoverageDbContextFactory(IOptions<DataOptions> options, IHostEnvironment environment)
    {
        _create = new(() => Creator(options.Value, environment.ContentRootPath));
    }

    public CoverageDbContext CreateDbContext() => _create.Value();

    public static Func<CoverageDbContext> Creator(DataOptions data, string contentRoot)
    {
        if (data.Provider == StoreProvider.PostgreSql)
        {
            var options = PostgreSqlCoverageDbContext.Options(data.ConnectionString);
            return () => new PostgreSqlCoverageDbContext(options);
        }

        var sqlite = new DbContextOptionsBuilder<CoverageDbContext>()
            .UseSqlite(SqliteConnectionStrings.Resolve(data.ConnectionString, contentRoot)).Options;
        return () => new CoverageDbContext(sqlite);
    }
}

/// <summary>Which store a context talks to, for the few places that write provider-specific SQL.</summary>
public static class CoverageStore
{
    public static StoreProvider ProviderOf(DbContext db) =>
        db.Database.IsNpgsql() ? StoreProvider.PostgreSql : StoreProvider.Sqlite;
}
