using Microsoft.EntityFrameworkCore;

namespace Apex.Coverage.Web.Data;

/// <summary>
/// Brings the database to the latest migration before anything else starts: it is registered
/// ahead of every feature's hosted service, and the host starts hosted services in order.
/// </summary>
internal sealed partial class DatabaseMigrator(
    IDbContextFactory<CoverageDbContext> factory,
    ILogger<DatabaseMigrator> logger) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        await using var db = await factory.CreateDbContextAsync(cancellationToken);
        if (CoverageStore.ProviderOf(db) == StoreProvider.Sqlite
            && SqliteConnectionStrings.DirectoryOf(db.Database.GetConnectionString() ?? "") is { } folder)
        {
            Directory.CreateDirectory(folder);
        }

        await db.Database.MigrateAsync(cancellationToken);
        LogMigrated(CoverageStore.ProviderOf(db), db.Database.GetDbConnection().Database);
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    [LoggerMessage(Level = LogLevel.Information, Message = "Database migrated: {Provider} {Database}")]
    private partial void LogMigrated(StoreProvider provider, string database);
}
