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
        if (SqliteConnectionStrings.DirectoryOf(db.Database.GetConnectionString() ?? "") is { } folder)
        {
            Directory.CreateDirectory(folder);
        }

        await db.Database.MigrateAsync(cancellationToken);
        LogMigrated(db.Database.GetConnectionString());
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    [LoggerMessage(Level = LogLevel.Information, Message = "Database migrated: {ConnectionString}")]
    private partial void LogMigrated(string? connectionString);
}
