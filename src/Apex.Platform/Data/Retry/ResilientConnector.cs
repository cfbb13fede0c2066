using Npgsql;

namespace Apex.Platform.Data.Retry;

/// <summary>
/// Opens PostgreSQL connections through a database outage: each open is retried with
/// <see cref="Backoff"/>; an open that fails every attempt counts against a circuit breaker,
/// which after <see cref="ConnectionRetryOptions.BreakAfter"/> such failures opens and refuses
/// at once (no connection attempt, no waiting caller) for <see cref="ConnectionRetryOptions.BreakFor"/>
/// of the platform clock. Then one trial open is let through (half-open): success closes the
/// breaker, failure opens it again.
/// </summary>
public sealed class ResilientConnector(NpgsqlDataSource dataSource, ConnectionRetryOptions options, TimeProvider time, Random random)
{
    private readonly Lock _gate = new();
    private int _failedOpens;
    private DateTimeOffset _openUntil = DateTimeOffset.MinValue;

    public BreakerState Breaker { get; private set; } = BreakerState.Closed;

    /// <summary>Raised after each failed attempt with the attempt number and the wait before the next (zero after the last).</summary>
    public event Action<int, TimeSpan>? AttemptFailed;

    public long Attempts => Interlocked.Read(ref _attempts);

    private long _attempts;

    public async Task<NpgsqlConnection> OpenAsync(CancellationToken ct)
    {
        var trial = Admit();
        var attempts = trial ? 1 : options.MaxAttempts;
        for (var attempt = 1; ; attempt++)
        {
            Interlocked.Increment(ref _attempts);
            try
            {
                var connection = await dataSource.OpenConnectionAsync(ct);
                Succeeded();
                return connection;
            }
            catch (NpgsqlException e) when (e.IsTransient || e.InnerException is System.Net.Sockets.SocketException)
            {
                if (attempt >= attempts)
                {
                    AttemptFailed?.Invoke(attempt, TimeSpan.Zero);
                    throw Failed(attempt, e);
                }

                var wait = options.Backoff.Delay(attempt, random);
                // The wait starts before subscribers hear of the failure, so a clock they move counts for it.
                var delay = Task.Delay(wait, time, ct);
                AttemptFailed?.Invoke(attempt, wait);
                await delay;
            }
        }
    }

    /// <summary>True when this call is the half-open trial; throws when the breaker is open.</summary>
    private bool Admit()
    {
        lock (_gate)
        {
            if (Breaker == BreakerState.Closed) return false;
            if (time.GetUtcNow() < _openUntil || Breaker == BreakerState.HalfOpen)
            {
                throw new DatabaseUnavailableException(
                    $"The database is unavailable: the circuit breaker is open until {_openUntil:O} after {_failedOpens} failed connection attempts in a row. Requests fail fast until then.");
            }

            Breaker = BreakerState.HalfOpen;
            return true;
        }
    }

    private void Succeeded()
    {
        lock (_gate) (_failedOpens, Breaker) = (0, BreakerState.Closed);
    }

    private DatabaseUnavailableException Failed(int attempts, NpgsqlException last)
    {
        lock (_gate)
        {
            _failedOpens++;
            if (Breaker == BreakerState.HalfOpen || _failedOpens >= options.BreakAfter)
            {
                (Breaker, _openUntil) = (BreakerState.Open, time.GetUtcNow() + options.BreakFor);
            }

            return new DatabaseUnavailableException($"Could not connect to the database after {attempts} attempt(s): {last.Message}", last);
        }
    }
}

public sealed record ConnectionRetryOptions(int MaxAttempts, Backoff Backoff, int BreakAfter, TimeSpan BreakFor);

public enum BreakerState
{
    Closed,
    Open,
    HalfOpen,
}

/// <summary>The database cannot be reached now; the message says whether it was tried or refused by the breaker.</summary>
public sealed class DatabaseUnavailableException(string message, Exception? inner = null) : Exception(message, inner);
