using Npgsql;

namespace Apex.Platform.Data.Locks;

/// <summary>
/// Runs a unit of work in a transaction and, when PostgreSQL picks it as a deadlock victim
/// (SQLSTATE 40P01) or aborts it for a serialization conflict (40001), rolls back and runs it
/// again from the start, after a short jittered pause so the two parties do not collide again.
/// The work must therefore be written to be re-run: it receives the attempt number.
/// </summary>
public sealed class DeadlockRetry(NpgsqlDataSource dataSource, TimeProvider time, int maxAttempts = 5)
{
    private static readonly TimeSpan BasePause = TimeSpan.FromMilliseconds(20);

    public async Task<RetryOutcome<T>> RunAsync<T>(Func<NpgsqlConnection, int, CancellationToken, Task<T>> work, CancellationToken ct)
    {
        var victims = new List<string>();
        for (var attempt = 1; ; attempt++)
        {
            await using var connection = await dataSource.OpenConnectionAsync(ct);
            await using var transaction = await connection.BeginTransactionAsync(ct);
            try
            {
                var result = await work(connection, attempt, ct);
                await transaction.CommitAsync(ct);
                return new RetryOutcome<T>(result, attempt, victims);
            }
            catch (PostgresException e) when (e.SqlState is PostgresErrorCodes.DeadlockDetected or PostgresErrorCodes.SerializationFailure)
            {
                await transaction.RollbackAsync(CancellationToken.None);
                victims.Add($"{e.SqlState}: {e.MessageText}");
                if (attempt >= maxAttempts)
                {
                    throw new LockConflictException($"Gave up after {attempt} attempts, each aborted by a lock conflict ({e.MessageText}).", e);
                }

                await Task.Delay(BasePause * attempt * (1 + Random.Shared.NextDouble()), time, ct);
            }
        }
    }
}

/// <summary>The result of a retried unit of work, with how many attempts it took and why earlier ones were aborted.</summary>
public sealed record RetryOutcome<T>(T Result, int Attempts, IReadOnlyList<string> AbortedAttempts);

/// <summary>A lock wait or conflict that the platform gave up on; the message says which and why.</summary>
public sealed class LockConflictException(string message, Exception inner) : Exception(message, inner);
