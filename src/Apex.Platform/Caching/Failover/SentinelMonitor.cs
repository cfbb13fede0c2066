using System.Collections.Concurrent;
using System.Net;
using StackExchange.Redis;

namespace Apex.Platform.Caching.Failover;

/// <summary>
/// Watches the Sentinels of the cache: which node is master now (asked of the Sentinels) and each
/// failover they announce (+switch-master), so operators see when and where the master moved.
/// The platform's own connection follows the master by itself when configured with serviceName.
/// </summary>
public sealed class SentinelMonitor(TimeProvider time, ILogger<SentinelMonitor> logger) : IAsyncDisposable
{
    private readonly ConcurrentQueue<FailoverEvent> _failovers = new();
    private ConnectionMultiplexer? _sentinels;
    private string _service = string.Empty;

    public IReadOnlyList<FailoverEvent> Failovers => [.. _failovers];

    /// <summary>Connects to the Sentinels ("host:port,host:port") watching <paramref name="service"/>.</summary>
    public async Task StartAsync(string sentinelEndpoints, string service)
    {
        _service = service;
        var configuration = ConfigurationOptions.Parse(sentinelEndpoints);
        configuration.CommandMap = CommandMap.Sentinel;
        configuration.TieBreaker = string.Empty;
        configuration.AbortOnConnectFail = false;
        _sentinels = await ConnectionMultiplexer.ConnectAsync(configuration);
        (await _sentinels.GetSubscriber().SubscribeAsync(RedisChannel.Literal("+switch-master"))).OnMessage(message =>
        {
            // "<service> <old ip> <old port> <new ip> <new port>"
            var parts = ((string)message.Message!).Split(' ');
            if (parts.Length != 5 || parts[0] != _service) return;
            _failovers.Enqueue(new FailoverEvent($"{parts[1]}:{parts[2]}", $"{parts[3]}:{parts[4]}", time.GetUtcNow()));
            logger.LogWarning("Cache master of {Service} moved from {Old} to {New}", _service, $"{parts[1]}:{parts[2]}", $"{parts[3]}:{parts[4]}");
        });
    }

    /// <summary>The master as the first Sentinel that answers sees it.</summary>
    public async Task<EndPoint?> CurrentMasterAsync()
    {
        foreach (var sentinel in (_sentinels ?? throw new InvalidOperationException("Not started.")).GetServers().Where(s => s.IsConnected))
        {
            try
            {
                return await sentinel.SentinelGetMasterAddressByNameAsync(_service);
            }
            catch (Exception e) when (e is RedisException or RedisTimeoutException)
            {
                // A Sentinel that errs or is too slow to answer is skipped: the next one may know.
                logger.LogDebug(e, "Sentinel {Endpoint} did not answer", sentinel.EndPoint);
            }
        }

        return null;
    }

    public async ValueTask DisposeAsync()
    {
        if (_sentinels is not null) await _sentinels.DisposeAsync();
    }
}

public sealed record FailoverEvent(string OldMaster, string NewMaster, DateTimeOffset At);
