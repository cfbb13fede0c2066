using Npgsql;
using StackExchange.Redis;

namespace Apex.Platform.Performance.Startup;

/// <summary>Asks each dependency for a real answer (a query, a PING), both at once, each within a short timeout.</summary>
public sealed class DependencyProbe(NpgsqlDataSource postgres, IConnectionMultiplexer redis, TimeProvider time)
{
    public const string Ok = "ok";
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(2);

    public async Task<IReadOnlyDictionary<string, string>> ProbeAsync(CancellationToken cancellationToken)
    {
        var checks = await Task.WhenAll(
            CheckAsync("postgres", async token =>
            {
                await using var command = postgres.CreateCommand("SELECT 1");
                await command.ExecuteScalarAsync(token);
            }, cancellationToken),
            CheckAsync("redis", async _ =>
            {
                if (!redis.IsConnected) throw new InvalidOperationException("Redis is not connected.");
                await redis.GetDatabase().PingAsync();
            }, cancellationToken));
        return checks.ToDictionary(c => c.Name, c => c.Status);
    }

    private async Task<(string Name, string Status)> CheckAsync(string name, Func<CancellationToken, Task> check, CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        try
        {
            await check(timeout.Token).WaitAsync(Timeout, time, timeout.Token);
            return (name, Ok);
        }
        catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            await timeout.CancelAsync();
            return (name, $"unavailable: {e.GetType().Name}");
        }
    }
}
