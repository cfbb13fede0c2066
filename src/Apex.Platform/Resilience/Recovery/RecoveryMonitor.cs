using Microsoft.Extensions.Options;
using Npgsql;
using StackExchange.Redis;

namespace Apex.Platform.Resilience.Recovery;

/// <summary>
/// The RTO monitor and recovery coordinator: probes Redis and PostgreSQL on a fixed interval (on
/// the platform's clock); the first failed probe opens an incident, the first good one closes it
/// with its recovery time and the verdict against the objective. On a PostgreSQL outage and again
/// on its recovery, the connection pool is cleared, so requests after a restart never get a
/// pooled connection to the dead server.
/// </summary>
public sealed class RecoveryMonitor(IConnectionMultiplexer redis, NpgsqlDataSource database, IOptions<RecoveryOptions> options, TimeProvider time)
    : BackgroundService
{
    private readonly Lock _gate = new();
    private readonly Dictionary<string, List<RecoveryIncident>> _incidents = new() { ["redis"] = [], ["postgres"] = [] };

    public IReadOnlyList<DependencyRecovery> Report()
    {
        lock (_gate)
        {
            return [.. _incidents.Select(d => new DependencyRecovery(d.Key, IsDown(d.Value) ? "down" : "up", [.. d.Value]))];
        }
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(options.Value.ProbeInterval, time);
        do
        {
            Observe("redis", await ProbeAsync(async _ => await redis.GetDatabase().PingAsync(), stoppingToken));
            Observe("postgres", await ProbeAsync(SelectOneAsync, stoppingToken));
        }
        while (await timer.WaitForNextTickAsync(stoppingToken));
    }

    private async Task SelectOneAsync(CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenConnectionAsync(cancellationToken);
        await using var command = new NpgsqlCommand("SELECT 1", connection);
        await command.ExecuteScalarAsync(cancellationToken);
    }

    private async Task<bool> ProbeAsync(Func<CancellationToken, Task> probe, CancellationToken stoppingToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
        timeout.CancelAfter(options.Value.ProbeTimeout);
        try
        {
            await probe(timeout.Token);
            return true;
        }
        catch (Exception e) when (e is RedisException or NpgsqlException or TimeoutException or System.Net.Sockets.SocketException
            || (e is OperationCanceledException && !stoppingToken.IsCancellationRequested))
        {
            return false;
        }
    }

    private void Observe(string dependency, bool up)
    {
        var now = time.GetUtcNow();
        lock (_gate)
        {
            var incidents = _incidents[dependency];
            if (!up && !IsDown(incidents)) incidents.Add(new RecoveryIncident(dependency, now, null, null, null));
            else if (up && IsDown(incidents)) incidents[^1] = Close(incidents[^1], now);
            else return;
        }

        if (dependency == "postgres") database.Clear();
    }

    private RecoveryIncident Close(RecoveryIncident incident, DateTimeOffset now)
    {
        var took = now - incident.DetectedAt;
        return incident with { RecoveredAt = now, RecoverySeconds = took.TotalSeconds, WithinObjective = took <= options.Value.Objective };
    }

    private static bool IsDown(List<RecoveryIncident> incidents) => incidents.Count > 0 && incidents[^1].RecoveredAt is null;
}
