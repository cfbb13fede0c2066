using System.ComponentModel.DataAnnotations;
using System.Diagnostics.Metrics;
using Microsoft.Extensions.Options;
using Npgsql;

namespace Apex.Platform.Data.Pooling;

/// <summary>
/// Hands out pooled connections and stops a pile-up when the pool runs dry. Npgsql queues a caller
/// that finds no free connection for up to the connection string's <c>Timeout</c>; each such
/// timeout is counted, and after <see cref="PoolGuardOptions.BreakAfter"/> in a row the breaker
/// opens: for <see cref="PoolGuardOptions.BreakFor"/> of the platform clock callers are refused at
/// once instead of joining a queue that cannot move. Once the break is over a caller is let through
/// again; success closes the breaker, another timeout opens it anew. Pool statistics (connections
/// idle/used, pending requests, timeouts) come from Npgsql's own "Npgsql" meter; this class adds
/// the exhausted and rejected counts.
/// </summary>
public sealed class PoolGuard(NpgsqlDataSource dataSource, IOptions<PoolGuardOptions> options, TimeProvider time)
{
    public const string MeterName = "Apex.Platform.Data.Pool";

    private static readonly Meter Meter = new(MeterName);
    private static readonly Counter<long> Exhausted = Meter.CreateCounter<long>("apex.db.pool.exhausted", description: "Callers that waited for a pooled connection until the timeout");
    private static readonly Counter<long> Rejected = Meter.CreateCounter<long>("apex.db.pool.rejected", description: "Callers refused at once by the open breaker");

    private readonly Lock _gate = new();
    private readonly string _database = new NpgsqlConnectionStringBuilder(dataSource.ConnectionString).Database ?? string.Empty;
    private int _consecutiveTimeouts;
    private DateTimeOffset _openUntil = DateTimeOffset.MinValue;

    public bool BreakerOpen
    {
        get
        {
            lock (_gate) return time.GetUtcNow() < _openUntil;
        }
    }

    public async Task<NpgsqlConnection> AcquireAsync(CancellationToken ct)
    {
        ThrowIfOpen();
        try
        {
            var connection = await dataSource.OpenConnectionAsync(ct);
            lock (_gate) _consecutiveTimeouts = 0;
            return connection;
        }
        catch (NpgsqlException e) when (e.InnerException is TimeoutException)
        {
            Exhausted.Add(1, new KeyValuePair<string, object?>("db.namespace", _database));
            var retryAfter = options.Value.BreakFor;
            lock (_gate)
            {
                if (++_consecutiveTimeouts >= options.Value.BreakAfter) _openUntil = time.GetUtcNow() + options.Value.BreakFor;
            }

            throw new PoolExhaustedException(
                "No database connection became free in time: the connection pool is exhausted. The request was not processed; retry shortly.", retryAfter, e);
        }
    }

    private void ThrowIfOpen()
    {
        TimeSpan remaining;
        lock (_gate) remaining = _openUntil - time.GetUtcNow();
        if (remaining <= TimeSpan.Zero) return;
        Rejected.Add(1, new KeyValuePair<string, object?>("db.namespace", _database));
        throw new PoolExhaustedException(
            "The database connection pool is exhausted and the circuit breaker is open: the request was refused without waiting. Retry after the indicated delay.", remaining, null);
    }
}

public sealed class PoolGuardOptions
{
    public const string SectionName = "Platform:Data:Pool";

    [Range(1, 1000, ErrorMessage = "Platform:Data:Pool:BreakAfter must be between 1 and 1000 consecutive pool timeouts.")]
    public int BreakAfter { get; set; } = 3;

    [Range(typeof(TimeSpan), "00:00:01", "01:00:00", ErrorMessage = "Platform:Data:Pool:BreakFor must be between 1 second and 1 hour.")]
    public TimeSpan BreakFor { get; set; } = TimeSpan.FromSeconds(15);
}

/// <summary>No connection for this request; <see cref="RetryAfter"/> is when trying again makes sense.</summary>
public sealed class PoolExhaustedException(string message, TimeSpan retryAfter, Exception? inner) : Exception(message, inner)
{
    public TimeSpan RetryAfter { get; } = retryAfter;
}
