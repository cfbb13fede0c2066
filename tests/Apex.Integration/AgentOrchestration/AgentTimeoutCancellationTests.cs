using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Apex.Integration.Fakes;
using Apex.Integration.Infrastructure;
using Apex.Platform.Agents;
using Apex.Platform.Agents.Cancellation;
using Apex.Platform.Agents.Resources;
using Apex.Platform.Caching;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace Apex.Integration.AgentOrchestration;

/// <summary>
/// A run canceled by its user (the cancel request may reach any instance; it travels on Redis) or
/// by its deadline (5 minutes, on the platform's FakeTimeProvider) stops what is in flight: the
/// LLM request is aborted at the provider, a running tool sees its token fire. The run is stored
/// as canceled with the reason, its slot and registrations are released, and resuming it is refused.
/// </summary>
[PlanItem(37)]
[BusinessValue(
    segment: "All tiers using AI agents",
    businessGoal: "Responsiveness: users can stop a run, and no run hangs past its deadline",
    valueImpact: "$6K MRR",
    strategicImpact: "UX quality: a stopped run stops costing - its provider call and tools end and every resource is freed")]
public sealed class AgentTimeoutCancellationTests(AgentTimeoutCancellationTests.Host host) : IClassFixture<AgentTimeoutCancellationTests.Host>
{
    private readonly AgentPlatform _agents = host.Agents;

    // A class's first run starts cold (JIT, token validation, tokenizer vocabulary); on a loaded
    // 2-core machine that alone has taken over 10 s, so the wait for runs to be in flight is generous.
    private const int StartDeadline = 60;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public sealed class Host(PostgresServer postgres, RedisServer redis) : AgentClassHost(postgres, redis)
    {
        public FakeTimeProvider Clock { get; } = new(DateTimeOffset.UtcNow);

        public BlockingTool Tool { get; } = new();

        protected override string Owner => "agents37";

        protected override IReadOnlyDictionary<string, string?> Settings => new Dictionary<string, string?> { ["Platform:Agents:Runs:Deadline"] = "00:05:00" };

        protected override void AddServices(IServiceCollection services)
        {
            services.AddSingleton<TimeProvider>(Clock);
            services.AddSingleton<ISubAgent>(Tool);
        }
    }

    [Fact]
    public async Task UserCancel_AbortsTheInFlightLlmCall_AndStoresTheRunAsCanceled()
    {
        var user = await _agents.SignInAsync();
        // A second instance on the same database and Redis prefix: the cancel travels from it to the one running the run.
        var prefix = _agents.Service<IOptions<RedisOptions>>().Value.KeyPrefix;
        var other = await _agents.StartInstanceAsync(new Dictionary<string, string?> { ["Platform:Redis:KeyPrefix"] = prefix }, services => services.AddSingleton<TimeProvider>(host.Clock));
        var observer = _agents.ClientFor(other, user.Token);
        _agents.Llm.Script(_ => LlmReply.Stalled());
        var abortedBefore = _agents.Llm.Aborted;

        var running = user.Client.PostAsJsonAsync("api/agents/runs", new { goal = "Think for a long time" }, Ct);
        await Eventually.TrueAsync(() => Task.FromResult(_agents.Llm.Requests.Count == 1), seconds: StartDeadline);
        var runId = (await observer.GetFromJsonAsync<List<AgentRun>>("api/agents/runs", Ct))!.Single().Id;
        var cancel = await observer.PostAsync($"api/agents/runs/{runId}/cancel", null, Ct);
        var response = await running;

        Assert.Equal(HttpStatusCode.Accepted, cancel.StatusCode);
        Assert.Equal(HttpStatusCode.Conflict, response.StatusCode);
        Assert.Equal("canceled", JsonNode.Parse(await response.Content.ReadAsStringAsync(Ct))!["runStatus"]!.GetValue<string>());
        var run = (await user.Client.GetFromJsonAsync<AgentRun>($"api/agents/runs/{runId}", Ct))!;
        Assert.Equal(("canceled", "canceled", "canceled by the user"), (run.Status, run.Steps[^1].Kind, run.Steps[^1].Content));
        await Eventually.TrueAsync(() => Task.FromResult(_agents.Llm.Aborted == abortedBefore + 1), seconds: StartDeadline);
        Assert.Equal(0, _agents.Service<RunCancellations>().InFlight);
        Assert.Equal(0, (await _agents.Service<AgentResourceManager>().UsageAsync(user.User.TenantId)).InFlight);
    }

    [Fact]
    public async Task Deadline_StopsTheRunningTool_AndTheRunIsCanceledWithTheReason()
    {
        var user = await _agents.SignInAsync();
        host.Tool.Reset();
        _agents.Llm.Script(_ => LlmReply.Calls("Wait for the signal.", new LlmToolCall("call_wait", BlockingTool.ToolName, """{"topic":"release"}""")));

        var running = user.Client.PostAsJsonAsync("api/agents/runs", new { goal = "Wait" }, Ct);
        await host.Tool.Started.WaitAsync(TimeSpan.FromSeconds(30), Ct);
        host.Clock.Advance(TimeSpan.FromMinutes(5) + TimeSpan.FromSeconds(1));
        var response = await running;

        Assert.Equal(HttpStatusCode.Conflict, response.StatusCode);
        Assert.True(await host.Tool.Canceled.WaitAsync(TimeSpan.FromSeconds(30), Ct));
        var run = (await user.Client.GetFromJsonAsync<List<AgentRun>>("api/agents/runs", Ct))!.Single();
        var stored = (await user.Client.GetFromJsonAsync<AgentRun>($"api/agents/runs/{run.Id}", Ct))!;
        Assert.Equal(["plan", "tool_call", "canceled"], stored.Steps.Select(s => s.Kind));
        Assert.Equal("the run's deadline of 00:05:00 passed", stored.Steps[^1].Content);
        Assert.Equal(0, _agents.Service<RunCancellations>().InFlight);
    }

    [Fact]
    public async Task Resume_IsRefused_ForACanceledRun_AndCancelIsRefusedForAFinishedOne()
    {
        var user = await _agents.SignInAsync();
        _agents.Llm.Script(_ => LlmReply.Stalled());
        var running = user.Client.PostAsJsonAsync("api/agents/runs", new { goal = "Stop me" }, Ct);
        await Eventually.TrueAsync(() => Task.FromResult(_agents.Llm.Requests.Count == 1), seconds: StartDeadline);
        var runId = (await user.Client.GetFromJsonAsync<List<AgentRun>>("api/agents/runs", Ct))!.Single().Id;
        await user.Client.PostAsync($"api/agents/runs/{runId}/cancel", null, Ct);
        await running;

        var resume = await user.Client.PostAsync($"api/agents/runs/{runId}/resume", null, Ct);
        var cancelAgain = await user.Client.PostAsync($"api/agents/runs/{runId}/cancel", null, Ct);
        var cancelUnknown = await user.Client.PostAsync($"api/agents/runs/{Guid.NewGuid()}/cancel", null, Ct);

        Assert.Equal(HttpStatusCode.Conflict, resume.StatusCode);
        Assert.Equal($"Run {runId} was canceled; a canceled run cannot be resumed. Start a new run instead.", await DetailAsync(resume));
        Assert.Equal(HttpStatusCode.Conflict, cancelAgain.StatusCode);
        Assert.Equal($"Run {runId} is canceled; only a running run can be canceled.", await DetailAsync(cancelAgain));
        Assert.Equal(HttpStatusCode.NotFound, cancelUnknown.StatusCode);
        Assert.Single(_agents.Llm.Requests);
    }

    private static async Task<string> DetailAsync(HttpResponseMessage response) =>
        JsonNode.Parse(await response.Content.ReadAsStringAsync(Ct))!["detail"]!.GetValue<string>();
}

/// <summary>A tool that works until it is told to stop: shows whether cancellation reaches a running tool.</summary>
public sealed class BlockingTool : ISubAgent
{
    public const string ToolName = "wait_for_signal";
    private TaskCompletionSource _started = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private TaskCompletionSource<bool> _canceled = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public string Name => ToolName;

    public string Description => "Waits for a signal on a topic.";

    public IReadOnlyList<ToolParameter> Parameters { get; } = [new("topic", ToolParameterType.String, "The topic")];

    public Task Started => _started.Task;

    public Task<bool> Canceled => _canceled.Task;

    public void Reset()
    {
        _started = new(TaskCreationOptions.RunContinuationsAsynchronously);
        _canceled = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }

    public async Task<string> RunAsync(ToolArguments arguments, CancellationToken cancellationToken)
    {
        _started.TrySetResult();
        try
        {
            await Task.Delay(Timeout.Infinite, cancellationToken);
            return "{}";
        }
        catch (OperationCanceledException)
        {
            _canceled.TrySetResult(true);
            throw;
        }
    }
}
