using Npgsql;

namespace Apex.Platform.Realtime.Storage;

/// <summary>
/// The PostgreSQL connection and transaction of one inbound hub message (a scoped service: one per
/// message scope). Opened on first use from the platform's pooled data source, committed only when
/// the handler says so; disposing the scope without a commit rolls back and returns the connection
/// to the pool, whether the handler threw or the socket dropped mid-way.
/// </summary>
public sealed class MessageTransaction(NpgsqlDataSource dataSource) : IAsyncDisposable
{
    private NpgsqlConnection? _connection;
    private NpgsqlTransaction? _transaction;

    public async Task<NpgsqlCommand> CommandAsync(string sql, CancellationToken cancellationToken)
    {
        if (_connection is null)
        {
            _connection = await dataSource.OpenConnectionAsync(cancellationToken);
            _transaction = await _connection.BeginTransactionAsync(cancellationToken);
        }

        return new NpgsqlCommand(sql, _connection, _transaction);
    }

    public async Task CommitAsync(CancellationToken cancellationToken)
    {
        if (_transaction is not null) await _transaction.CommitAsync(cancellationToken);
        _transaction = null;
    }

    public async ValueTask DisposeAsync()
    {
        if (_transaction is not null)
        {
            // Rolls back; a connection broken by a cancelled statement is discarded by the pool.
            await _transaction.DisposeAsync();
        }

        if (_connection is not null) await _connection.DisposeAsync();
    }
}
