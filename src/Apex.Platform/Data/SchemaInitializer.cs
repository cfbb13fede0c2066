using Npgsql;

namespace Apex.Platform.Data;

/// <summary>Applies every registered <see cref="SchemaScript"/> before the platform takes requests.</summary>
internal sealed class SchemaInitializer(NpgsqlDataSource dataSource, IEnumerable<SchemaScript> scripts, ILogger<SchemaInitializer> logger)
    : IHostedService
{
    // Several platform instances may start against one database at once (tests do): a
    // transaction-level advisory lock makes them apply the DDL one after another.
    private const long SchemaLockKey = 0x41504558; // "APEX"

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        await using (var lockCommand = new NpgsqlCommand($"SELECT pg_advisory_xact_lock({SchemaLockKey})", connection, transaction))
        {
            await lockCommand.ExecuteNonQueryAsync(cancellationToken);
        }

        foreach (var script in scripts.OrderBy(s => s.Order))
        {
            await using var command = new NpgsqlCommand(script.Sql, connection, transaction);
            await command.ExecuteNonQueryAsync(cancellationToken);
            logger.LogDebug("Schema {Name} applied", script.Name);
        }

        await transaction.CommitAsync(cancellationToken);
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
