using Apex.Integration.Infrastructure;
using Apex.Platform.Agents.Queue;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace Apex.Integration.AgentOrchestration;

/// <summary>
/// The platform's agent work queue in PostgreSQL: claimed with FOR UPDATE SKIP LOCKED by several
/// workers at once, in priority order, with aging (one priority step per second waited here) so a
/// low-priority item gets its turn under a steady stream of high-priority work. The platform's
/// clock is a FakeTimeProvider, so "waiting" is exact and nothing sleeps.
/// </summary>
[PlanItem(39)]
[BusinessValue(
    segment: "All tiers using AI agents; Enterprise batch workloads",
    businessGoal: "Fair scheduling: urgent agent work first, no work waits forever",
    valueImpact: "$7K MRR",
    strategicImpact: "Performance: several workers share one queue without double work or starvation")]
public sealed class AgentPriorityQueueTests(AgentPriorityQueueTests.Host host) : IClassFixture<AgentPriorityQueueTests.Host>
{
    private readonly AgentWorkQueue _queue = host.Agents.Service<AgentWorkQueue>();
    private readonly FakeTimeProvider _clock = host.Clock;
    private readonly Guid _tenant = Guid.NewGuid();

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public sealed class Host(PostgresServer postgres, RedisServer redis) : AgentClassHost(postgres, redis)
    {
        public FakeTimeProvider Clock { get; } = new(DateTimeOffset.UtcNow);

        protected override string Owner => "agents39";

        protected override IReadOnlyDictionary<string, string?> Settings => new Dictionary<string, string?> { ["Platform:Agents:Queue:AgingStep"] = "00:00:01" };

        protected override void AddServices(IServiceCollection services) => services.AddSingleton<TimeProvider>(Clock);
    }

    [Fact]
    public async Task Claim_TakesHighestPriorityFirstAndFifoWithinAPriority_WhenItemsWaitEqually()
    {
        var queue = NewQueue();
        var ids = new List<long>();
        foreach (var priority in new[] { 1, 5, 3, 5, 9 }) ids.Add(await _queue.EnqueueAsync(queue, _tenant, priority, $"p{priority}", Ct));

        var order = new List<long>();
        while (await _queue.ClaimAsync(queue, "w1", Ct) is { } work) order.Add(work.Id);

        Assert.Equal([ids[4], ids[1], ids[3], ids[2], ids[0]], order);
        Assert.Equal(new QueueStats(0, 5, 0, null), await _queue.StatsAsync(queue, Ct));
    }

    [Fact]
    public async Task Aging_GivesLowPriorityItemItsTurn_UnderASteadyStreamOfHighPriorityWork()
    {
        var queue = NewQueue();
        var low = await _queue.EnqueueAsync(queue, _tenant, 1, "nightly report", Ct);
        var claimed = new List<QueuedWork>();
        for (var tick = 1; tick <= 12; tick++)
        {
            await _queue.EnqueueAsync(queue, _tenant, 10, $"interactive {tick}", Ct);
            claimed.Add((await _queue.ClaimAsync(queue, "w1", Ct))!);
            _clock.Advance(TimeSpan.FromSeconds(1));
        }

        // Priority 1 + 1 per second waited reaches the fresh high items' 10 after 9 s: the 10th claim.
        var turn = claimed.FindIndex(w => w.Id == low);
        Assert.Equal(9, turn);
        Assert.All(claimed.Take(9), w => Assert.Equal(10, w.Priority));
        Assert.Equal((1, 10), (claimed[turn].Priority, claimed[turn].EffectivePriority));
        Assert.Equal(1, (await _queue.StatsAsync(queue, Ct)).Queued);
    }

    [Fact]
    public async Task Workers_ClaimEachItemExactlyOnce_WhenSeveralDrainTheQueueConcurrently()
    {
        var queue = NewQueue();
        for (var i = 0; i < 40; i++) await _queue.EnqueueAsync(queue, _tenant, i % 4, $"job {i}", Ct);
        var secondWorkerStarted = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var first = 0;

        var done = await host.Agents.Service<AgentQueueWorkers>().DrainAsync(queue, 4, async (_, ct) =>
        {
            // The first item is held until another worker has claimed one: claims do not wait on each other.
            if (Interlocked.Exchange(ref first, 1) == 0) await secondWorkerStarted.Task.WaitAsync(ct);
            else secondWorkerStarted.TrySetResult();
        }, Ct);

        Assert.Equal(40, done.Count);
        Assert.Equal(40, done.Select(d => d.Work.Id).Distinct().Count());
        Assert.True(done.Select(d => d.Worker).Distinct().Count() >= 2);
        Assert.Equal(new QueueStats(0, 0, 40, null), await _queue.StatsAsync(queue, Ct));
        Assert.Equal(40, await CountAsync($"SELECT count(*) FROM agent_work_queue WHERE queue = '{queue}' AND status = 'done' AND claimed_by LIKE '{queue}-worker-%'"));
    }

    [Fact]
    public async Task FailedWork_GoesBackToTheQueueAndAnotherWorkerTakesIt_WhenAWorkerThrows()
    {
        var queue = NewQueue();
        var id = await _queue.EnqueueAsync(queue, _tenant, 5, "flaky job", Ct);
        var workers = host.Agents.Service<AgentQueueWorkers>();

        var failure = await Assert.ThrowsAsync<InvalidOperationException>(() =>
            workers.DrainAsync(queue, 1, (_, _) => throw new InvalidOperationException("model provider unavailable"), Ct));
        var stats = await _queue.StatsAsync(queue, Ct);
        var retried = await workers.DrainAsync(queue, 1, (_, _) => Task.CompletedTask, Ct);

        Assert.Equal("model provider unavailable", failure.Message);
        Assert.Equal((1, 0), (stats.Queued, stats.Claimed));
        Assert.Equal(id, Assert.Single(retried).Work.Id);
    }

    private static string NewQueue() => $"q{Guid.NewGuid():N}";

    private async Task<long> CountAsync(string sql)
    {
        await using var command = host.Agents.Database.CreateCommand(sql);
        return (long)(await command.ExecuteScalarAsync(Ct))!;
    }
}
