using System.Collections.Concurrent;
using System.ComponentModel.DataAnnotations;
using Apex.Platform.Caching;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace Apex.Platform.Agents.Cancellation;

public sealed class RunTimeoutOptions
{
    public const string SectionName = "Platform:Agents:Runs";

    /// <summary>A run still going after this long is canceled: its LLM call and tools stop, and it is stored as canceled.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "1.00:00:00", ErrorMessage = "Platform:Agents:Runs:Deadline must be between 1 s and 1 day.")]
    public TimeSpan Deadline { get; set; } = TimeSpan.FromMinutes(5);
}

/// <summary>One run's cancellation: its token (the caller's, the user's cancel and the deadline together) and why it fired.</summary>
public sealed class RunCancellationScope : IDisposable
{
    private readonly CancellationTokenSource _user = new();
    private readonly CancellationTokenSource _deadline;
    private readonly CancellationTokenSource _linked;
    private readonly Action _release;

    internal RunCancellationScope(TimeSpan deadline, TimeProvider time, CancellationToken caller, Action release)
    {
        _deadline = new CancellationTokenSource(deadline, time);
        _linked = CancellationTokenSource.CreateLinkedTokenSource(caller, _user.Token, _deadline.Token);
        Deadline = deadline;
        _release = release;
    }

    public CancellationToken Token => _linked.Token;

    public TimeSpan Deadline { get; }

    /// <summary>Why the run was canceled, or null while it was not (a caller that went away is not a reason the run can report).</summary>
    public string? Reason => _user.IsCancellationRequested
        ? "canceled by the user"
        : _deadline.IsCancellationRequested ? $"the run's deadline of {Deadline} passed" : null;

    internal void CancelByUser()
    {
        try
        {
            _user.Cancel();
        }
        catch (ObjectDisposedException)
        {
            // The run finished between the lookup and the cancel: nothing left to stop.
        }
    }

    public void Dispose()
    {
        _release();
        _linked.Dispose();
        _deadline.Dispose();
        _user.Dispose();
    }
}

/// <summary>
/// The runs in flight on this instance and how to stop them. A cancel request may reach any
/// instance: it is published on Redis, and the instance running the run cancels it there.
/// </summary>
public sealed class RunCancellations : IHostedService
{
    private readonly ConcurrentDictionary<Guid, RunCancellationScope> _running = new();
    private readonly IConnectionMultiplexer _redis;
    private readonly RedisChannel _channel;
    private readonly IOptions<RunTimeoutOptions> _options;
    private readonly TimeProvider _time;

    public RunCancellations(IConnectionMultiplexer redis, RedisKeys keys, IOptions<RunTimeoutOptions> options, TimeProvider time)
    {
        _redis = redis;
        _channel = keys.Channel("agents:cancel");
        _options = options;
        _time = time;
    }

    /// <summary>Runs in flight on this instance; a finished or canceled run is gone from here.</summary>
    public int InFlight => _running.Count;

    public RunCancellationScope Begin(Guid runId, CancellationToken caller)
    {
        var scope = new RunCancellationScope(_options.Value.Deadline, _time, caller, () => _running.TryRemove(runId, out _));
        _running[runId] = scope;
        return scope;
    }

    public async Task RequestAsync(Guid runId) => await _redis.GetSubscriber().PublishAsync(_channel, runId.ToString());

    public async Task StartAsync(CancellationToken cancellationToken) =>
        await _redis.GetSubscriber().SubscribeAsync(_channel, (_, message) =>
        {
            if (Guid.TryParse(message.ToString(), out var runId) && _running.TryGetValue(runId, out var scope)) scope.CancelByUser();
        });

    public async Task StopAsync(CancellationToken cancellationToken) => await _redis.GetSubscriber().UnsubscribeAsync(_channel);
}
