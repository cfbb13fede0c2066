using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Apex.Integration.Fakes;
using Apex.Integration.Infrastructure;
using Apex.Platform.Agents;
using Apex.Platform.Agents.Queue;
using Apex.Platform.Agents.Resources;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace Apex.Integration.AgentOrchestration;

/// <summary>
/// Per-tenant limits on agent runs, held in the real Redis so every instance shares them: two runs
/// at once, one more waiting for a slot (and refused after the 30 s queue timeout, on the platform's
/// FakeTimeProvider), the next refused at once with the figures; a daily token budget. Usage is
/// visible per tenant; the worker pool of an agent queue grows and shrinks with its length within bounds.
/// </summary>
[PlanItem(36)]
[BusinessValue(
    segment: "All tiers; Enterprise tenants with heavy agent use",
    businessGoal: "Resource efficiency: one tenant's burst cannot starve the others or run up unbounded LLM spend",
    valueImpact: "$9K MRR",
    strategicImpact: "Cost optimisation: limits answered clearly, capacity scaled with demand within set bounds")]
public sealed class AgentResourceAllocationTests(AgentResourceAllocationTests.Host host) : IClassFixture<AgentResourceAllocationTests.Host>
{
    private readonly AgentPlatform _agents = host.Agents;

    // A class's first run starts cold (JIT, token validation, tokenizer vocabulary); on a loaded
    // 2-core machine that alone has taken over 10 s, so the wait for runs to be in flight is generous.
    private const int StartDeadline = 60;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public sealed class Host(PostgresServer postgres, RedisServer redis) : AgentClassHost(postgres, redis)
    {
        public FakeTimeProvider Clock { get; } = new(DateTimeOffset.UtcNow);

        protected override string Owner => "agents36";

        protected override IReadOnlyDictionary<string, string?> Settings => new Dictionary<string, string?>
        {
            ["Platform:Agents:Resources:MaxConcurrentRunsPerTenant"] = "2",
            ["Platform:Agents:Resources:MaxQueuedRunsPerTenant"] = "1",
            ["Platform:Agents:Resources:QueueTimeout"] = "00:00:30",
            ["Platform:Agents:Resources:DailyTokenBudgetPerTenant"] = "60",
            ["Platform:Agents:Workers:Min"] = "1",
            ["Platform:Agents:Workers:Max"] = "4",
            ["Platform:Agents:Workers:ItemsPerWorker"] = "10",
        };

        protected override void AddServices(IServiceCollection services) => services.AddSingleton<TimeProvider>(Clock);
    }

    [Fact]
    public async Task RunsOverTheLimit_WaitForASlotOrAreRefusedWithTheFigures_AndOtherTenantsAreUnaffected()
    {
        var user = await _agents.SignInAsync();
        var neighbour = await _agents.SignInAsync();
        var release = HoldEveryLlmCall();

        var first = StartAsync(user);
        var second = StartAsync(user);
        await Eventually.TrueAsync(async () => (await UsageAsync(user)).InFlight == 2, seconds: StartDeadline);
        var queued = StartAsync(user);
        await Eventually.TrueAsync(async () => (await UsageAsync(user)).Waiting == 1, seconds: StartDeadline);
        var refused = await StartAsync(user);
        var neighbourUsage = await UsageAsync(neighbour);
        release.SetResult();
        var results = await Task.WhenAll(first, second, queued);

        Assert.Equal(HttpStatusCode.TooManyRequests, refused.StatusCode);
        Assert.Equal("The tenant already has 2 runs in flight and 1 waiting; try again when one finishes.", await DetailAsync(refused));
        Assert.Equal((0, 0), (neighbourUsage.InFlight, neighbourUsage.Waiting));
        Assert.All(results, r => Assert.Equal(HttpStatusCode.Created, r.StatusCode));
        var after = await UsageAsync(user);
        Assert.Equal((0, 0, 45L), (after.InFlight, after.Waiting, after.TokensToday));
    }

    [Fact]
    public async Task AQueuedRun_IsRefusedAfterTheQueueTimeout_WhenNoSlotFrees()
    {
        var user = await _agents.SignInAsync();
        var release = HoldEveryLlmCall();
        var holders = new[] { StartAsync(user), StartAsync(user) };
        await Eventually.TrueAsync(async () => (await UsageAsync(user)).InFlight == 2, seconds: StartDeadline);

        var queued = StartAsync(user);
        await Eventually.TrueAsync(async () => (await UsageAsync(user)).Waiting == 1, seconds: StartDeadline);
        host.Clock.Advance(TimeSpan.FromSeconds(31));
        var timedOut = await queued;
        release.SetResult();
        await Task.WhenAll(holders);

        Assert.Equal(HttpStatusCode.TooManyRequests, timedOut.StatusCode);
        Assert.Equal("No run slot became free within 30 s (the tenant's limit is 2 concurrent runs).", await DetailAsync(timedOut));
        Assert.Equal(0, (await UsageAsync(user)).Waiting);
    }

    [Fact]
    public async Task NewRuns_AreRefused_OnceTheTenantHasUsedItsDailyTokenBudget()
    {
        var user = await _agents.SignInAsync();
        _agents.Llm.Script();
        _agents.Llm.Fallback = _ => LlmReply.Answer("ok");

        var answered = new List<HttpStatusCode>();
        for (var i = 0; i < 4; i++) answered.Add((await StartAsync(user)).StatusCode);
        var overBudget = await StartAsync(user);
        _agents.Llm.Fallback = null;

        Assert.All(answered, status => Assert.Equal(HttpStatusCode.Created, status));
        Assert.Equal(HttpStatusCode.TooManyRequests, overBudget.StatusCode);
        Assert.Equal("The tenant has used 60 of its 60 LLM tokens today; new runs start again at 00:00 UTC.", await DetailAsync(overBudget));
        Assert.Equal((60L, 60L), ((await UsageAsync(user)).TokensToday, (await UsageAsync(user)).DailyTokenBudget!.Value));
    }

    [Theory]
    [InlineData(0, 1, "kept at the minimum of 1")]
    [InlineData(25, 3, "25 waiting at 10 per worker")]
    [InlineData(400, 4, "capped at the maximum of 4")]
    public async Task Workers_ScaleWithTheQueueWithinBounds(int waiting, int workers, string reason)
    {
        var queue = $"scale{Guid.NewGuid():N}";
        var work = _agents.Service<AgentWorkQueue>();
        for (var i = 0; i < Math.Min(waiting, 25); i++) await work.EnqueueAsync(queue, Guid.NewGuid(), 1, $"job {i}", Ct);

        var decision = AgentWorkerScaler.Decide(queue, waiting, new WorkerScalingOptions { Min = 1, Max = 4, ItemsPerWorker = 10 });
        var (drained, done) = await _agents.Service<AgentWorkerScaler>().DrainAsync(queue, (_, _) => Task.CompletedTask, Ct);

        Assert.Equal((workers, reason), (decision.Workers, decision.Reason));
        Assert.Equal(Math.Min(waiting, 25), done);
        Assert.Equal(AgentWorkerScaler.Decide(queue, Math.Min(waiting, 25), new WorkerScalingOptions { Min = 1, Max = 4, ItemsPerWorker = 10 }), drained);
    }

    /// <summary>Every LLM call waits until the returned source is completed, then answers.</summary>
    private TaskCompletionSource HoldEveryLlmCall()
    {
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        _agents.Llm.ScriptAsync([.. Enumerable.Range(0, 3).Select(_ => (Func<LlmRequest, Task<LlmReply>>)(async _ =>
        {
            await release.Task;
            return LlmReply.Answer("done");
        }))]);
        return release;
    }

    private Task<HttpResponseMessage> StartAsync(SignedIn user) => user.Client.PostAsJsonAsync("api/agents/runs", new { goal = "Work" }, Ct);

    private async Task<TenantUsage> UsageAsync(SignedIn user) => (await user.Client.GetFromJsonAsync<TenantUsage>("api/agents/resources", Ct))!;

    private static async Task<string> DetailAsync(HttpResponseMessage response) =>
        JsonNode.Parse(await response.Content.ReadAsStringAsync(Ct))!["detail"]!.GetValue<string>();
}
