using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Apex.Integration.AgentOrchestration.ToolPlugins;
using Apex.Integration.Infrastructure;
using Apex.Platform.Agents;

namespace Apex.Integration.AgentOrchestration;

/// <summary>
/// Workflows over the real agents (the price catalog sub-agent against the fake catalog, list
/// prices, the cost calculator, and a rendezvous tool loaded at run time that only completes when
/// its branches really run at the same time): sequential chains passing outputs on, parallel
/// fan-out, conditional routing on an earlier output. The state machine and every transition are
/// in PostgreSQL; a workflow that failed at a node is resumed by a fresh platform instance at that
/// node, and agents that had finished do not run again.
/// </summary>
[PlanItem(33)]
[BusinessValue(
    segment: "Mid-market and enterprise tiers using advanced agent features",
    businessGoal: "Complex workflows: several agents coordinated in order, in parallel and by condition",
    valueImpact: "$15K MRR",
    strategicImpact: "Advanced features: long workflows survive failures and restarts without repeating paid agent work")]
public sealed class MultiAgentWorkflowTests(MultiAgentWorkflowTests.Host host) : IClassFixture<MultiAgentWorkflowTests.Host>
{
    private static readonly Dictionary<string, decimal> CatalogPrices = new() { ["gpt-4o"] = 0.25m, ["gpt-4o-mini"] = 0.02m };
    private readonly AgentPlatform _agents = host.Agents;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    /// <summary>The class's platform, with the rendezvous tool loaded at run time.</summary>
    public sealed class Host(PostgresServer postgres, RedisServer redis) : AgentClassHost(postgres, redis)
    {
        protected override string Owner => "agents33";

        public override async ValueTask InitializeAsync()
        {
            await base.InitializeAsync();
            var loaded = Agents.Service<ToolRegistry>().Load(new ToolManifest("rendezvous", "1.0.0", typeof(RendezvousTool).AssemblyQualifiedName), "tests");
            Assert.True(loaded.Loaded, string.Join("; ", loaded.Problems));
        }
    }

    [Fact]
    public async Task Sequential_RunsAgentsInOrderPassingOutputsOn_WhenNodesAreChained()
    {
        var user = await _agents.SignInAsync();
        _agents.Catalog.Reset(CatalogPrices);

        var (status, body) = await StartAsync(user, """
            {"start":"price","nodes":{
              "price":{"agent":"pricing_lookup","arguments":{"model":"$input.model"},"next":"cost"},
              "cost":{"agent":"cost_calculator","arguments":{"tokens":"$input.tokens","pricePer1kTokens":"$price.pricePer1kTokens"}}}}
            """, """{"model":"gpt-4o","tokens":120000}""");

        Assert.Equal(HttpStatusCode.Created, status);
        var stored = await FindAsync(user, body);
        Assert.Equal(("completed", null), (stored.Status, stored.CurrentNode));
        Assert.Equal(30.00m, stored.Values["cost"]!["cost"]!.GetValue<decimal>());
        Assert.Equal("catalog", stored.Values["price"]!["source"]!.GetValue<string>());
        Assert.Equal(
            ["price:started", "price:agent_started", "price:agent_completed", "price:transition", "cost:agent_started", "cost:agent_completed", "cost:transition", ":completed"],
            stored.Transitions.Select(t => $"{t.Node}:{t.Event}"));
        Assert.Equal(["cost", "end"], stored.Transitions.Where(t => t.Event == "transition").Select(t => t.Detail));
    }

    [Fact]
    public async Task Parallel_RunsBranchesAtTheSameTimeThenJoins_WhenNodeFansOut()
    {
        var user = await _agents.SignInAsync();
        var key = Guid.NewGuid().ToString("N");
        _agents.Catalog.Reset(CatalogPrices);

        var (status, body) = await StartAsync(user, """
            {"start":"fan","nodes":{
              "fan":{"parallel":["live","list","left","right"],"next":"cost"},
              "live":{"agent":"pricing_lookup","arguments":{"model":"$input.model"}},
              "list":{"agent":"list_prices","arguments":{"model":"$input.model"}},
              "left":{"agent":"rendezvous","arguments":{"key":"KEY","parties":2}},
              "right":{"agent":"rendezvous","arguments":{"key":"KEY","parties":2}},
              "cost":{"agent":"cost_calculator","arguments":{"tokens":"$input.tokens","pricePer1kTokens":"$live.pricePer1kTokens"}}}}
            """.Replace("KEY", key, StringComparison.Ordinal), """{"model":"gpt-4o","tokens":4000}""");

        Assert.True(status == HttpStatusCode.Created, body.ToJsonString());
        var stored = await FindAsync(user, body);
        Assert.Equal((0.25m, 0.30m, 1.00m), (stored.Values["live"]!["pricePer1kTokens"]!.GetValue<decimal>(),
            stored.Values["list"]!["pricePer1kTokens"]!.GetValue<decimal>(), stored.Values["cost"]!["cost"]!.GetValue<decimal>()));
        Assert.Equal(2, stored.Values["left"]!["met"]!.GetValue<int>());
        Assert.Equal(4, stored.Transitions.Count(t => t.Event == "agent_started" && t.Node != "cost"));
        var meeting = stored.Transitions.Where(t => t.Node is "left" or "right").ToList();
        Assert.True(meeting.Where(t => t.Event == "agent_started").Max(t => t.Seq) < meeting.Where(t => t.Event == "agent_completed").Min(t => t.Seq));
        Assert.True(stored.Transitions.Single(t => t.Node == "fan" && t.Event == "transition").Seq
            < stored.Transitions.Single(t => t.Node == "cost" && t.Event == "agent_started").Seq);
    }

    [Theory]
    [InlineData("gpt-4o", "then -> compare", "compare", "cost")]
    [InlineData("gpt-4o-mini", "else -> cost", "cost", "compare")]
    public async Task Conditional_RoutesOnEarlierOutput_WhenConditionHoldsOrNot(string model, string routed, string taken, string skipped)
    {
        var user = await _agents.SignInAsync();
        _agents.Catalog.Reset(CatalogPrices);

        var (status, body) = await StartAsync(user, """
            {"start":"price","nodes":{
              "price":{"agent":"pricing_lookup","arguments":{"model":"$input.model"},"next":"expensive"},
              "expensive":{"condition":{"path":"price.pricePer1kTokens","greaterThan":0.1},"then":"compare","else":"cost"},
              "compare":{"agent":"list_prices","arguments":{"model":"$input.model"}},
              "cost":{"agent":"cost_calculator","arguments":{"tokens":"$input.tokens","pricePer1kTokens":"$price.pricePer1kTokens"}}}}
            """, $$"""{"model":"{{model}}","tokens":50000}""");

        Assert.Equal(HttpStatusCode.Created, status);
        var stored = await FindAsync(user, body);
        Assert.Equal($"price.pricePer1kTokens: {routed}", stored.Transitions.Single(t => t.Event == "routed").Detail);
        Assert.NotNull(stored.Values[taken]);
        Assert.Null(stored.Values[skipped]);
        Assert.DoesNotContain(stored.Transitions, t => t.Node == skipped);
        Assert.Equal("completed", stored.Status);
    }

    [Fact]
    public async Task Resume_ContinuesFromFailedNodeInFreshInstance_WithoutRerunningFinishedAgents()
    {
        var user = await _agents.SignInAsync();
        var failed = await FailAtFanOutWhileCatalogIsDownAsync(user);

        _agents.Catalog.Down = false;
        var restarted = await _agents.StartInstanceAsync();
        var response = await _agents.ClientFor(restarted, user.Token).PostAsync($"api/agents/workflows/{failed.Id}/resume", null, Ct);

        Assert.True(response.StatusCode == HttpStatusCode.OK, await response.Content.ReadAsStringAsync(Ct));
        var resumed = (await response.Content.ReadFromJsonAsync<WorkflowRun>(Ct))!;
        Assert.Equal(("completed", 2.00m), (resumed.Status, resumed.Values["cost"]!["cost"]!.GetValue<decimal>()));
        Assert.Single(resumed.Transitions, t => t.Node == "list" && t.Event == "agent_started");
        Assert.Equal(["agent_failed", "agent_completed"], resumed.Transitions.Where(t => t.Node == "live" && t.Event != "agent_started").Select(t => t.Event));
        Assert.Equal(["started", "failed", "resumed", "transition"], resumed.Transitions.Where(t => t.Node == "fan").Select(t => t.Event));
        Assert.Equal(2, _agents.Catalog.Requests);
    }

    [Theory]
    [InlineData("""{"start":"a","nodes":{"a":{"agent":"drop_tenant_data"}}}""", "node 'a' names agent 'drop_tenant_data', which is not loaded")]
    [InlineData("""{"start":"a","nodes":{"a":{"agent":"list_prices","arguments":{"model":"x"},"next":"b"}}}""", "node 'a' leads to 'b', which is not a node")]
    [InlineData("""{"start":"z","nodes":{"a":{"agent":"list_prices"}}}""", "'start' must name a node, got 'z'")]
    [InlineData("""{"start":"a","nodes":{"a":{"agent":"list_prices","next":"b"},"b":{"agent":"list_prices","next":"a"}}}""", "the workflow has a cycle")]
    [InlineData("""{"start":"a","nodes":{"a":{"agent":"list_prices","parallel":["a"]}}}""", "node 'a' must have exactly one of 'agent', 'parallel', 'condition'")]
    [InlineData("""{"start":"a","nodes":{"a":{"parallel":["b"]},"b":{"agent":"list_prices","next":"a"}}}""", "parallel branch 'b' must be an agent node without 'next'")]
    [InlineData("""{"start":"a","nodes":{"a":{"condition":{"path":"input.x","is":1},"then":"a"}}}""", "condition node 'a' needs 'then' and 'else'")]
    [InlineData("""{"start":"a","nodes":{"a":{"agent":"list_prices","arguments":{"model":"$ghost.model"}}}}""", "node 'a' reads '$ghost', which is neither input nor a node")]
    public async Task Start_IsRefusedWithReasonAndNothingStored_WhenDefinitionIsInvalid(string definition, string reason)
    {
        var user = await _agents.SignInAsync();

        var (status, body) = await StartAsync(user, definition, "{}");

        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Contains(reason, body["errors"]!["workflow"]![0]!.GetValue<string>(), StringComparison.Ordinal);
        await using var count = _agents.Database.CreateCommand("SELECT count(*) FROM agent_workflows WHERE tenant_id = $1");
        count.Parameters.Add(new Npgsql.NpgsqlParameter { Value = user.User.TenantId });
        Assert.Equal(0L, await count.ExecuteScalarAsync(Ct));
    }

    [Fact]
    public async Task Workflow_FailsAtNodeWithSchemaReason_WhenBoundValueBreaksTheAgentsArguments()
    {
        var user = await _agents.SignInAsync();

        var (status, problem) = await StartAsync(user, """
            {"start":"cost","nodes":{"cost":{"agent":"cost_calculator","arguments":{"tokens":"$input.tokens","pricePer1kTokens":0.25}}}}
            """, """{"tokens":"lots"}""");

        Assert.Equal(HttpStatusCode.BadGateway, status);
        Assert.Contains("'tokens' must be an integer", problem["detail"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Equal("failed", (await FindAsync(user, problem, "workflowId")).Status);
    }

    [Fact]
    public async Task Resume_IsRefused_WhenWorkflowCompletedOrBelongsToAnotherTenant()
    {
        var owner = await _agents.SignInAsync();
        var stranger = await _agents.SignInAsync();
        var (_, body) = await StartAsync(owner, """{"start":"a","nodes":{"a":{"agent":"list_prices","arguments":{"model":"gpt-4o"}}}}""", "{}");
        var id = body["id"]!.GetValue<string>();

        var completed = await owner.Client.PostAsync($"api/agents/workflows/{id}/resume", null, Ct);

        Assert.Equal(HttpStatusCode.Conflict, completed.StatusCode);
        Assert.Contains("is completed; only a failed workflow can be resumed", await completed.Content.ReadAsStringAsync(Ct), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.NotFound, (await stranger.Client.PostAsync($"api/agents/workflows/{id}/resume", null, Ct)).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await stranger.Client.GetAsync($"api/agents/workflows/{id}", Ct)).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await _agents.Instance.Client.GetAsync($"api/agents/workflows/{id}", Ct)).StatusCode);
    }

    /// <summary>A fan-out whose live-price branch fails (catalog down): the workflow stops at the fan with the list price kept.</summary>
    private async Task<WorkflowRun> FailAtFanOutWhileCatalogIsDownAsync(SignedIn user)
    {
        _agents.Catalog.Reset(CatalogPrices);
        _agents.Catalog.Down = true;
        var (status, problem) = await StartAsync(user, """
            {"start":"fan","nodes":{
              "fan":{"parallel":["live","list"],"next":"cost"},
              "live":{"agent":"pricing_lookup","arguments":{"model":"$input.model"}},
              "list":{"agent":"list_prices","arguments":{"model":"$input.model"}},
              "cost":{"agent":"cost_calculator","arguments":{"tokens":"$input.tokens","pricePer1kTokens":"$live.pricePer1kTokens"}}}}
            """, """{"model":"gpt-4o","tokens":8000}""");
        Assert.Equal(HttpStatusCode.BadGateway, status);
        Assert.Equal("fan", problem["node"]!.GetValue<string>());
        var failed = await FindAsync(user, problem, "workflowId");
        Assert.Equal(("failed", "fan"), (failed.Status, failed.CurrentNode));
        Assert.Equal((true, false), (failed.Values.ContainsKey("list"), failed.Values.ContainsKey("live")));
        return failed;
    }

    private static async Task<(HttpStatusCode Status, JsonObject Body)> StartAsync(SignedIn user, string definition, string input)
    {
        var request = new JsonObject { ["workflow"] = JsonNode.Parse(definition), ["input"] = JsonNode.Parse(input) };
        var response = await user.Client.PostAsJsonAsync("api/agents/workflows", request, Ct);
        return (response.StatusCode, (await response.Content.ReadFromJsonAsync<JsonObject>(Ct))!);
    }

    /// <summary>The workflow as stored, read back through the API.</summary>
    private static async Task<WorkflowRun> FindAsync(SignedIn user, JsonObject body, string idField = "id") =>
        (await user.Client.GetFromJsonAsync<WorkflowRun>($"api/agents/workflows/{body[idField]!.GetValue<string>()}", Ct))!;
}
