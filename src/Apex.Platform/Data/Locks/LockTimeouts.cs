using System.Globalization;
using Npgsql;

namespace Apex.Platform.Data.Locks;

/// <summary>
/// Bounds how long a transaction waits for a lock (<c>SET LOCAL lock_timeout</c>): a request
/// that would queue behind a long transaction fails fast with a clear error instead of holding
/// a pooled connection and a thread for as long as the other transaction lasts.
/// </summary>
public static class LockTimeouts
{
    public static async Task<T> WithLockTimeoutAsync<T>(this NpgsqlDataSource dataSource, TimeSpan timeout, string operation,
        Func<NpgsqlConnection, CancellationToken, Task<T>> work, CancellationToken ct)
    {
        await using var connection = await dataSource.OpenConnectionAsync(ct);
        await using var transaction = await connection.BeginTransactionAsync(ct);
        var milliseconds = ((long)timeout.TotalMilliseconds).ToString(CultureInfo.InvariantCulture);
        await using (var set = new NpgsqlCommand($"SET LOCAL lock_timeout = {milliseconds}", connection, transaction)) await set.ExecuteNonQueryAsync(ct);
        try
        {
            var result = await work(connection, ct);
            await transaction.CommitAsync(ct);
            return result;
        }
        catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.LockNotAvailable)
        {
            await transaction.RollbackAsync(CancellationToken.None);
            throw new LockConflictException(
                $"{operation} waited more than {timeout.TotalMilliseconds:0} ms for a lock held by another transaction and was abandoned; nothing was changed. Try again shortly.", e);
        }
    }
}
