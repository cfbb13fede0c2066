using System.ComponentModel.DataAnnotations;
using System.Globalization;
using Apex.Platform.Caching;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace Apex.Platform.Agents.Resources;

public sealed class AgentResourceOptions
{
    public const string SectionName = "Platform:Agents:Resources";

    [Range(1, 1000, ErrorMessage = "Platform:Agents:Resources:MaxConcurrentRunsPerTenant must be between 1 and 1,000.")]
    public int MaxConcurrentRunsPerTenant { get; set; } = 4;

    /// <summary>Runs that may wait for a slot; one more is refused at once.</summary>
    [Range(0, 10_000, ErrorMessage = "Platform:Agents:Resources:MaxQueuedRunsPerTenant must be between 0 and 10,000.")]
    public int MaxQueuedRunsPerTenant { get; set; } = 8;

    [Range(typeof(TimeSpan), "00:00:00.001", "01:00:00", ErrorMessage = "Platform:Agents:Resources:QueueTimeout must be between 1 ms and 1 hour.")]
    public TimeSpan QueueTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>LLM tokens a tenant may use per UTC day; null: no limit.</summary>
    [Range(1L, long.MaxValue, ErrorMessage = "Platform:Agents:Resources:DailyTokenBudgetPerTenant must be positive.")]
    public long? DailyTokenBudgetPerTenant { get; set; }

    /// <summary>A lease outlives a crashed instance by at most this long.</summary>
    public TimeSpan LeaseLifetime { get; set; } = TimeSpan.FromMinutes(10);
}

/// <summary>A slot granted for one run, or why not. Disposing it frees the slot for the next waiting run.</summary>
public sealed class RunLease(AgentResourceManager? owner, Guid tenantId, string id, string? refusal, bool queued) : IAsyncDisposable
{
    public bool Granted => refusal is null;

    public string? Refusal => refusal;

    /// <summary>The run waited for its slot.</summary>
    public bool WasQueued => queued;

    public async ValueTask DisposeAsync()
    {
        if (Granted && owner is not null) await owner.ReleaseAsync(tenantId, id);
    }
}

public sealed record TenantUsage(Guid TenantId, int InFlight, int Waiting, long TokensToday, int MaxConcurrent, int MaxQueued, long? DailyTokenBudget);

/// <summary>
/// Per-tenant limits on agent runs, shared by every instance through Redis: concurrent runs
/// (leases in a sorted set, expiring if an instance dies holding one), runs waiting for a slot
/// (woken by a release message, refused after the queue timeout) and LLM tokens per day. A
/// request over a limit is refused with the limit and the figures.
/// </summary>
public sealed class AgentResourceManager(IConnectionMultiplexer redis, RedisKeys keys, IOptions<AgentResourceOptions> options, TimeProvider time)
{
    // Drop expired leases, then take one if there is room: atomic, so two instances cannot both take the last slot.
    private const string AcquireScript = """
        redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', ARGV[1])
        if redis.call('ZCARD', KEYS[1]) < tonumber(ARGV[3]) then
            redis.call('ZADD', KEYS[1], ARGV[2], ARGV[4])
            return 1
        end
        return 0
        """;

    private IDatabase Db => redis.GetDatabase();

    public async Task<RunLease> AcquireAsync(Guid tenantId, CancellationToken cancellationToken)
    {
        var settings = options.Value;
        if (settings.DailyTokenBudgetPerTenant is { } budget && await TokensTodayAsync(tenantId) is var used && used >= budget)
        {
            return Refused($"The tenant has used {used} of its {budget} LLM tokens today; new runs start again at 00:00 UTC.");
        }

        var id = Guid.NewGuid().ToString("N");
        if (await TryTakeAsync(tenantId, id)) return new RunLease(this, tenantId, id, null, false);
        // The deadline starts before the run counts as waiting: whoever sees it waiting may move the
        // platform clock, and a timer created after that move would never fire.
        using var deadline = new CancellationTokenSource(settings.QueueTimeout, time);
        var waiting = keys.Key($"agents:waiting:{tenantId:N}");
        if (await Db.StringIncrementAsync(waiting) > settings.MaxQueuedRunsPerTenant)
        {
            await Db.StringDecrementAsync(waiting);
            return Refused($"The tenant already has {settings.MaxConcurrentRunsPerTenant} runs in flight and {settings.MaxQueuedRunsPerTenant} waiting; try again when one finishes.");
        }

        try
        {
            return await WaitAsync(tenantId, id, deadline, cancellationToken);
        }
        finally
        {
            await Db.StringDecrementAsync(waiting);
        }
    }

    public async Task RecordTokensAsync(Guid tenantId, long tokens)
    {
        var key = TokensKey(tenantId);
        await Db.StringIncrementAsync(key, tokens);
        await Db.KeyExpireAsync(key, TimeSpan.FromDays(2));
    }

    public async Task<TenantUsage> UsageAsync(Guid tenantId)
    {
        var settings = options.Value;
        await Db.SortedSetRemoveRangeByScoreAsync(Leases(tenantId), double.NegativeInfinity, Now());
        var inFlight = (int)await Db.SortedSetLengthAsync(Leases(tenantId));
        var waiting = (int)(long)await Db.StringGetAsync(keys.Key($"agents:waiting:{tenantId:N}"));
        return new TenantUsage(tenantId, inFlight, waiting, await TokensTodayAsync(tenantId), settings.MaxConcurrentRunsPerTenant, settings.MaxQueuedRunsPerTenant, settings.DailyTokenBudgetPerTenant);
    }

    internal async Task ReleaseAsync(Guid tenantId, string id)
    {
        await Db.SortedSetRemoveAsync(Leases(tenantId), id);
        await redis.GetSubscriber().PublishAsync(Released(tenantId), id);
    }

    private async Task<RunLease> WaitAsync(Guid tenantId, string id, CancellationTokenSource deadline, CancellationToken cancellationToken)
    {
        var timeout = options.Value.QueueTimeout;
        using var both = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, deadline.Token);
        var signal = new SemaphoreSlim(0);
        var subscriber = redis.GetSubscriber();
        var channel = await subscriber.SubscribeAsync(Released(tenantId));
        channel.OnMessage(_ => signal.Release());
        try
        {
            // Checked after subscribing, so a release in between is not missed.
            while (!await TryTakeAsync(tenantId, id))
            {
                await signal.WaitAsync(both.Token);
            }

            return new RunLease(this, tenantId, id, null, true);
        }
        catch (OperationCanceledException) when (deadline.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            return Refused($"No run slot became free within {timeout.TotalSeconds.ToString(CultureInfo.InvariantCulture)} s (the tenant's limit is {options.Value.MaxConcurrentRunsPerTenant} concurrent runs).");
        }
        finally
        {
            await channel.UnsubscribeAsync();
        }
    }

    private async Task<bool> TryTakeAsync(Guid tenantId, string id) =>
        (int)await Db.ScriptEvaluateAsync(AcquireScript, [Leases(tenantId)],
            [Now(), Now() + options.Value.LeaseLifetime.TotalMilliseconds, options.Value.MaxConcurrentRunsPerTenant, id]) == 1;

    private async Task<long> TokensTodayAsync(Guid tenantId) => (long)await Db.StringGetAsync(TokensKey(tenantId));

    private static RunLease Refused(string reason) => new(null, Guid.Empty, string.Empty, reason, false);

    private double Now() => time.GetUtcNow().ToUnixTimeMilliseconds();

    private RedisKey Leases(Guid tenantId) => keys.Key($"agents:leases:{tenantId:N}");

    private RedisKey TokensKey(Guid tenantId) => keys.Key($"agents:tokens:{tenantId:N}:{time.GetUtcNow():yyyyMMdd}");

    private RedisChannel Released(Guid tenantId) => keys.Channel($"agents:released:{tenantId:N}");
}
