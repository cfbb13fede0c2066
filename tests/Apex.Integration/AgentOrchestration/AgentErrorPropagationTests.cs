using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using Apex.Integration.Fakes;
using Apex.Integration.Infrastructure;
using Apex.Platform.Agents;
using Microsoft.Extensions.DependencyInjection;

namespace Apex.Integration.AgentOrchestration;

/// <summary>
/// Errors of agent runs on the real platform: an exception inside a sub-agent (a real one: the
/// price catalog down, a model without a list price) is captured, enriched with run, tenant,
/// step, agent and call, classified retryable or fatal and routed to the handlers of its class;
/// when the run then fails (the fake LLM provider answers 500), one aggregated error names every
/// sub-agent's cause and reaches the caller as problem details. A further handler registered for
/// fatal errors (as a pager would be) shows that routing reaches every handler of a class and no other.
/// </summary>
[PlanItem(35)]
[BusinessValue(
    segment: "All tiers using AI agents",
    businessGoal: "Error visibility: every agent failure traceable to its run, step and sub-agent",
    valueImpact: "$7K MRR",
    strategicImpact: "Debugging efficiency: failed runs explain themselves; transient and permanent failures reach different handlers")]
public sealed class AgentErrorPropagationTests(AgentErrorPropagationTests.Host host) : IClassFixture<AgentErrorPropagationTests.Host>
{
    private static readonly Dictionary<string, decimal> CatalogPrices = new() { ["gpt-4o"] = 0.25m };
    private readonly PagerHandler _pager = host.Pager;
    private readonly AgentPlatform _agents = host.Agents;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    /// <summary>The class's platform, with the pager registered as a further handler of fatal errors.</summary>
    public sealed class Host(PostgresServer postgres, RedisServer redis) : AgentClassHost(postgres, redis)
    {
        public PagerHandler Pager { get; } = new();

        protected override string Owner => "agents35";

        protected override void AddServices(IServiceCollection services) => services.AddSingleton<IAgentErrorHandler>(Pager);
    }

    [Fact]
    public async Task Capture_RecordsEnrichedError_WhenSubAgentThrows()
    {
        var user = await _agents.SignInAsync();
        _agents.Catalog.Reset(CatalogPrices);
        _agents.Llm.Script(
            _ => LlmReply.Calls("Plan: list price.", new LlmToolCall("call_list", "list_prices", """{"model":"llama-9"}""")),
            request => LlmReply.Answer($"No price: {request.ToolResult("call_list")["error"]}"));

        var run = await StartRunAsync(user, "Price of llama-9?", HttpStatusCode.Created);
        var errors = await ErrorsAsync(user, run.Id);

        Assert.Equal("completed", run.Status);
        var error = Assert.Single(errors);
        var failedStep = Assert.Single(run.Steps, s => s.Kind == "tool_failed");
        Assert.Equal((run.Id, user.User.TenantId, failedStep.Seq, "list_prices", "call_list"), (error.RunId, error.TenantId, error.Step, error.Agent, error.CallId));
        Assert.Equal(("KeyNotFoundException", ErrorClass.Fatal, "fatal,pager"), (error.ErrorType, error.Class, error.Route));
        Assert.Contains("No list price for model 'llama-9'", error.Message, StringComparison.Ordinal);
        Assert.InRange(error.At, run.CreatedAt, run.UpdatedAt);
        Assert.Empty(error.Causes);
        Assert.False(_agents.Llm.Requests[1].ToolResult("call_list")["retryable"]!.GetValue<bool>());
    }

    [Fact]
    public async Task Routing_SendsRetryableAndFatalErrorsToTheirOwnHandlers_WhenSubAgentsFailDifferently()
    {
        var user = await _agents.SignInAsync();
        _agents.Catalog.Reset(CatalogPrices);
        _agents.Catalog.Down = true;
        _agents.Llm.Script(
            _ => LlmReply.Calls("Plan: both prices.",
                new LlmToolCall("call_live", "pricing_lookup", """{"model":"gpt-4o"}"""), new LlmToolCall("call_list", "list_prices", """{"model":"llama-9"}""")),
            _ => LlmReply.Answer("Neither price is available."));

        var run = await StartRunAsync(user, "Prices?", HttpStatusCode.Created);
        var errors = await ErrorsAsync(user, run.Id);

        Assert.Equal(2, errors.Count);
        var live = Assert.Single(errors, e => e.Agent == "pricing_lookup");
        var list = Assert.Single(errors, e => e.Agent == "list_prices");
        Assert.Equal((ErrorClass.Retryable, "retry", "HttpRequestException"), (live.Class, live.Route, live.ErrorType));
        Assert.Contains("503", live.Message, StringComparison.Ordinal);
        Assert.Equal((ErrorClass.Fatal, "fatal,pager"), (list.Class, list.Route));
        Assert.Equal([list.Id], _pager.Received.Where(e => e.RunId == run.Id).Select(e => e.Id));
        var seen = _agents.Llm.Requests[1];
        Assert.True(seen.ToolResult("call_live")["retryable"]!.GetValue<bool>());
        Assert.False(seen.ToolResult("call_list")["retryable"]!.GetValue<bool>());
    }

    [Fact]
    public async Task Aggregation_FailsRunWithOneErrorNamingEverySubAgentCause_WhenProviderFailsAfterSubAgentErrors()
    {
        var user = await _agents.SignInAsync();
        _agents.Catalog.Reset(CatalogPrices);
        _agents.Catalog.Down = true;
        // Round two finds the script used up: the provider answers 500 and the run fails.
        _agents.Llm.Script(_ => LlmReply.Calls("Plan: both prices.",
            new LlmToolCall("call_live", "pricing_lookup", """{"model":"gpt-4o"}"""), new LlmToolCall("call_list", "list_prices", """{"model":"llama-9"}""")));

        var response = await user.Client.PostAsJsonAsync("api/agents/runs", new { goal = "Prices?" }, Ct);

        Assert.Equal(HttpStatusCode.BadGateway, response.StatusCode);
        var problem = (await response.Content.ReadFromJsonAsync<JsonObject>(Ct))!;
        var runId = Guid.Parse(problem["runId"]!.GetValue<string>());
        var aggregated = problem["error"].Deserialize<AgentError>(JsonSerializerOptions.Web)!;
        Assert.Equal(("supervisor", ErrorClass.Fatal, "fatal,pager", runId), (aggregated.Agent, aggregated.Class, aggregated.Route, aggregated.RunId));
        Assert.Equal(["pricing_lookup", "list_prices", "supervisor"], aggregated.Causes.Select(c => c.Agent));
        Assert.Equal([3, 5, null], aggregated.Causes.Select(c => c.Step));
        Assert.Equal("ClientResultException", aggregated.Causes[2].ErrorType);
        Assert.Equal(ErrorClass.Retryable, aggregated.Causes[2].Class);
        foreach (var expected in new[] { "pricing_lookup at step 3", "503", "list_prices at step 5", "No list price for model 'llama-9'", "supervisor: " })
        {
            Assert.Contains(expected, aggregated.Message, StringComparison.Ordinal);
            Assert.Contains(expected, problem["detail"]!.GetValue<string>(), StringComparison.Ordinal);
        }

        await AssertStoredAndPagedAsync(user, runId, aggregated);
    }

    /// <summary>The run's errors are stored causes first, the aggregate last, and the aggregate reached the pager.</summary>
    private async Task AssertStoredAndPagedAsync(SignedIn user, Guid runId, AgentError aggregated)
    {
        var stored = await ErrorsAsync(user, runId);
        Assert.Equal(aggregated.Id, stored[^1].Id);
        Assert.Equal(aggregated.Causes.Select(c => c.Id), stored.SkipLast(1).Select(e => e.Id));
        Assert.Contains(_pager.Received, e => e.Id == aggregated.Id);
    }

    [Fact]
    public async Task Aggregation_RoutesRunFailureAsRetryable_WhenEveryCauseIsTransient()
    {
        var user = await _agents.SignInAsync();
        _agents.Catalog.Reset(CatalogPrices);
        _agents.Catalog.Down = true;
        _agents.Llm.Script(_ => LlmReply.Calls(null, new LlmToolCall("call_live", "pricing_lookup", """{"model":"gpt-4o"}""")));

        var problem = (await (await user.Client.PostAsJsonAsync("api/agents/runs", new { goal = "Price?" }, Ct)).Content.ReadFromJsonAsync<JsonObject>(Ct))!;

        var aggregated = problem["error"].Deserialize<AgentError>(JsonSerializerOptions.Web)!;
        Assert.Equal((ErrorClass.Retryable, "retry"), (aggregated.Class, aggregated.Route));
        Assert.Equal([ErrorClass.Retryable, ErrorClass.Retryable], aggregated.Causes.Select(c => c.Class));
        Assert.DoesNotContain(_pager.Received, e => e.Id == aggregated.Id);
    }

    [Fact]
    public async Task Errors_AreTenantScopedAndRefusalsAreNotErrors_WhenReadThroughTheApi()
    {
        var owner = await _agents.SignInAsync();
        var stranger = await _agents.SignInAsync();
        _agents.Catalog.Reset(CatalogPrices);
        _agents.Llm.Script(
            _ => LlmReply.Calls(null, new LlmToolCall("call_bad", "cost_calculator", """{"tokens":-1,"pricePer1kTokens":0.25}""")),
            _ => LlmReply.Answer("Could not compute."));

        var run = await StartRunAsync(owner, "Cost?", HttpStatusCode.Created);

        Assert.Contains(run.Steps, s => s.Kind == "tool_refused");
        Assert.Empty(await ErrorsAsync(owner, run.Id));
        Assert.Equal(HttpStatusCode.NotFound, (await stranger.Client.GetAsync($"api/agents/runs/{run.Id}/errors", Ct)).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await owner.Client.GetAsync($"api/agents/runs/{Guid.NewGuid()}/errors", Ct)).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await _agents.Instance.Client.GetAsync($"api/agents/runs/{run.Id}/errors", Ct)).StatusCode);
    }

    private static async Task<AgentRun> StartRunAsync(SignedIn user, string goal, HttpStatusCode expected)
    {
        var response = await user.Client.PostAsJsonAsync("api/agents/runs", new { goal }, Ct);
        Assert.True(response.StatusCode == expected, await response.Content.ReadAsStringAsync(Ct));
        return (await response.Content.ReadFromJsonAsync<AgentRun>(Ct))!;
    }

    private static async Task<List<AgentError>> ErrorsAsync(SignedIn user, Guid runId) =>
        (await user.Client.GetFromJsonAsync<List<AgentError>>($"api/agents/runs/{runId}/errors", Ct))!;

    /// <summary>A further destination for fatal errors, as a pager or ticket system would be registered.</summary>
    public sealed class PagerHandler : IAgentErrorHandler
    {
        private readonly ConcurrentQueue<AgentError> _received = new();

        public string Route => "pager";

        public ErrorClass Handles => ErrorClass.Fatal;

        public IReadOnlyList<AgentError> Received => [.. _received];

        public Task HandleAsync(AgentError error, CancellationToken cancellationToken)
        {
            _received.Enqueue(error);
            return Task.CompletedTask;
        }
    }
}
