using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using Apex.Integration.Authentication;
using Apex.Integration.Fakes;
using Apex.Integration.Infrastructure;
using Apex.Platform.Agents;
using Apex.Platform.Auth;
using Microsoft.Extensions.DependencyInjection;

namespace Apex.Integration.AgentOrchestration;

/// <summary>
/// The supervisor of the real platform plans with an LLM (a fake OpenAI-compatible provider over
/// HTTP), dispatches the model's tool calls to real sub-agents through the tool dispatcher, and
/// keeps every step in PostgreSQL. One sub-agent calls an external price catalog (a fake), which
/// can be taken down to make it fail for real.
/// </summary>
[PlanItem(31)]
[BusinessValue(
    segment: "All tiers using AI agents",
    businessGoal: "Core AI functionality: multi-agent answers that are correct and traceable",
    valueImpact: "$30K MRR",
    strategicImpact: "Sub-agent failures reach the supervisor and are handled, never swallowed; the base for plan items 32-50")]
public sealed class SupervisorSubAgentCommunicationTests(SupervisorSubAgentCommunicationTests.Host host) : IClassFixture<SupervisorSubAgentCommunicationTests.Host>
{
    private static readonly Dictionary<string, decimal> CatalogPrices = new() { ["gpt-4o"] = 0.25m };
    private readonly FakeLlmProvider _llm = host.Llm;
    private readonly FakePricingCatalog _catalog = host.Catalog;
    private readonly PlatformInstance _platform = host.Platform;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    /// <summary>
    /// The class's one platform (with the auth service alongside) and its fakes; tests keep apart by
    /// signing in to a tenant of their own and re-scripting the LLM and the catalog.
    /// </summary>
    public sealed class Host(PostgresServer postgres, RedisServer redis) : IAsyncLifetime
    {
        private readonly List<HttpClient> _clients = [];
        private string _database = string.Empty;

        public FakeLlmProvider Llm { get; private set; } = null!;

        public FakePricingCatalog Catalog { get; private set; } = null!;

        public FakeOAuthProvider OAuth { get; private set; } = null!;

        public PlatformInstance Platform { get; private set; } = null!;

        public async ValueTask InitializeAsync()
        {
            Llm = await FakeLlmProvider.StartNewAsync();
            Catalog = await FakePricingCatalog.StartNewAsync();
            OAuth = await FakeOAuthProvider.StartNewAsync();
            _database = await postgres.CreateDatabaseAsync("agents31");
            Platform = await StartPlatformAsync();
        }

        public Task<PlatformInstance> StartPlatformAsync() => PlatformInstance.StartAsync(
            new PlatformSettings(_database, redis.ConnectionString, RedisServer.NewKeyPrefix("agents31"))
            {
                // The auth service alongside, so a user can sign in through the real OAuth login.
                Services = ["agents", "auth"],
                Extra = new Dictionary<string, string?>(AuthApi.OAuthSettings(OAuth))
                {
                    ["Platform:Llm:Endpoint"] = Llm.Endpoint.ToString(),
                    ["Platform:Llm:ApiKey"] = FakeLlmProvider.ApiKey,
                    ["Platform:Llm:Model"] = FakeLlmProvider.Model,
                    ["Platform:Agents:PricingCatalogUrl"] = Catalog.BaseAddress.ToString(),
                },
            });

        public HttpClient ClientFor(PlatformInstance platform, string token)
        {
            var client = new HttpClient { BaseAddress = platform.BaseAddress };
            client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
            _clients.Add(client);
            return client;
        }

        public async ValueTask DisposeAsync()
        {
            _clients.ForEach(client => client.Dispose());
            await Platform.DisposeAsync();
            await Catalog.DisposeAsync();
            await Llm.DisposeAsync();
            await OAuth.DisposeAsync();
        }
    }

    [Fact]
    public async Task StartRun_ReturnsAggregatedAnswer_WhenSupervisorPlansAndDispatchesToSubAgents()
    {
        var client = await SignInThroughLoginAsync("lee@agents-login.example");
        ScriptPriceThenCost();

        var response = await client.PostAsJsonAsync("api/agents/runs", new { goal = "What do 120k gpt-4o tokens cost?" }, Ct);

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var run = (await response.Content.ReadFromJsonAsync<AgentRun>(Ct))!;
        Assert.Equal("completed", run.Status);
        Assert.Equal("120k gpt-4o tokens cost 30.00.", run.Answer);
        Assert.Equal(["plan", "tool_call", "tool_result", "tool_call", "tool_result", "answer"], run.Steps.Select(s => s.Kind));
        Assert.Equal(["pricing_lookup", "cost_calculator"], run.Steps.Where(s => s.Kind == "tool_call").Select(s => s.Tool));
        Assert.Equal(["cost_calculator", "list_prices", "pricing_lookup"], _llm.Requests[0].ToolNames.Order());
        Assert.Equal(FakeLlmProvider.Model, _llm.Requests[0].Model);
        Assert.Equal(3, _llm.Requests.Count);
        Assert.Equal(1, _catalog.Requests);
    }

    [Fact]
    public async Task RunState_IsPersistedAfterEachStep_WhenReadByFreshPlatformInstance()
    {
        var (client, token) = await SignInWithTokenAsync(_platform);
        await using var fresh = await host.StartPlatformAsync();
        var observer = host.ClientFor(fresh, token);
        AgentRun? midRun = null;
        _catalog.Reset(CatalogPrices);
        _llm.ScriptAsync(
            _ => Task.FromResult(LlmReply.Calls("Plan: price, then cost.", new LlmToolCall("call_price", "pricing_lookup", """{"model":"gpt-4o"}"""))),
            async _ =>
            {
                // The run is still in flight on the first instance; the fresh one reads what is stored.
                var id = (await observer.GetFromJsonAsync<List<AgentRun>>("api/agents/runs", Ct))!.Single().Id;
                midRun = await observer.GetFromJsonAsync<AgentRun>($"api/agents/runs/{id}", Ct);
                return LlmReply.Calls(null, new LlmToolCall("call_cost", "cost_calculator", """{"tokens":4000,"pricePer1kTokens":0.25}"""));
            },
            request => Task.FromResult(LlmReply.Answer($"Cost: {request.ToolResult("call_cost")["cost"]}")));

        var run = (await (await client.PostAsJsonAsync("api/agents/runs", new { goal = "Cost of 4k gpt-4o tokens?" }, Ct)).Content.ReadFromJsonAsync<AgentRun>(Ct))!;

        Assert.NotNull(midRun);
        Assert.Equal("running", midRun.Status);
        Assert.Equal(["plan", "tool_call", "tool_result"], midRun.Steps.Select(s => s.Kind));
        Assert.Contains("0.25", midRun.Steps[2].Content, StringComparison.Ordinal);
        await AssertStoredRunIsCompleteAsync(observer, run, midRun);
    }

    /// <summary>The fresh instance reads the finished run: its answer and every step, the mid-run ones first.</summary>
    private static async Task AssertStoredRunIsCompleteAsync(HttpClient observer, AgentRun run, AgentRun midRun)
    {
        var stored = (await observer.GetFromJsonAsync<AgentRun>($"api/agents/runs/{run.Id}", Ct))!;
        Assert.Equal(("completed", "Cost: 1.00"), (stored.Status, stored.Answer));
        Assert.Equal(run.Steps, stored.Steps);
        Assert.Equal(midRun.Steps, stored.Steps.Take(3));
    }

    [Fact]
    public async Task SubAgentFailure_ReachesSupervisorAsToolResult_WhenPriceCatalogIsDown()
    {
        var client = await SignInAsync(_platform);
        _catalog.Reset(CatalogPrices);
        _catalog.Down = true;
        _llm.Script(
            _ => LlmReply.Calls("Plan: look up the live price.", new LlmToolCall("call_price", "pricing_lookup", """{"model":"gpt-4o"}""")),
            request => request.ToolResult("call_price")["status"]?.GetValue<string>() == "failed"
                ? LlmReply.Calls("The catalog failed; falling back to list prices.", new LlmToolCall("call_list", "list_prices", """{"model":"gpt-4o"}"""))
                : LlmReply.Answer("The catalog answered."),
            request => LlmReply.Answer($"List price {request.ToolResult("call_list")["pricePer1kTokens"]} per 1k tokens; the live catalog is unavailable."));

        var response = await client.PostAsJsonAsync("api/agents/runs", new { goal = "Price of gpt-4o?" }, Ct);

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var run = (await response.Content.ReadFromJsonAsync<AgentRun>(Ct))!;
        Assert.Equal("List price 0.30 per 1k tokens; the live catalog is unavailable.", run.Answer);
        var failure = Assert.Single(run.Steps, s => s.Kind == "tool_failed");
        Assert.Equal(("pricing_lookup", "call_price"), (failure.Tool, failure.CallId));
        Assert.Contains("503", failure.Content, StringComparison.Ordinal);
        Assert.Contains("503", _llm.Requests[1].ToolMessage("call_price"), StringComparison.Ordinal);
        Assert.Equal(["plan", "tool_call", "tool_failed", "plan", "tool_call", "tool_result", "answer"], run.Steps.Select(s => s.Kind));
        Assert.Equal("list_prices", run.Steps[4].Tool);
        Assert.Equal(1, _catalog.Requests);
    }

    [Fact]
    public async Task UnknownTool_IsRefusedWithErrorResult_WhenLlmNamesToolNoSubAgentProvides()
    {
        var client = await SignInAsync(_platform);
        _catalog.Reset(CatalogPrices);
        _llm.Script(
            _ => LlmReply.Calls("Plan: clear the tenant's data.", new LlmToolCall("call_x", "drop_tenant_data", "{}")),
            request => LlmReply.Answer($"Could not: {request.ToolResult("call_x")["error"]}"));

        var run = (await (await client.PostAsJsonAsync("api/agents/runs", new { goal = "Start over" }, Ct)).Content.ReadFromJsonAsync<AgentRun>(Ct))!;

        Assert.Equal("completed", run.Status);
        var refusal = Assert.Single(run.Steps, s => s.Kind == "tool_refused");
        Assert.Equal("drop_tenant_data", refusal.Tool);
        Assert.Contains("Unknown tool 'drop_tenant_data'", refusal.Content, StringComparison.Ordinal);
        Assert.Equal("refused", _llm.Requests[1].ToolResult("call_x")["status"]?.GetValue<string>());
        Assert.Contains("Available tools: cost_calculator, list_prices, pricing_lookup", run.Answer, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("pricing_lookup", """{"model":42}""", "'model' must be a non-empty string")]
    [InlineData("pricing_lookup", """{"model":"gpt-4o","region":"eu"}""", "'region' is not a parameter")]
    [InlineData("pricing_lookup", """{"model":""", "not valid JSON")]
    [InlineData("cost_calculator", """{"tokens":"lots","pricePer1kTokens":0.25}""", "'tokens' must be an integer")]
    [InlineData("cost_calculator", """{"tokens":1000}""", "'pricePer1kTokens' is required")]
    [InlineData("cost_calculator", """{"tokens":-5,"pricePer1kTokens":0.25}""", "'tokens' must be at least 0")]
    public async Task InvalidArguments_AreRefusedBeforeSubAgentRuns_WhenTheyBreakTheToolSchema(string tool, string arguments, string expected)
    {
        var client = await SignInAsync(_platform);
        _catalog.Reset(CatalogPrices);
        _llm.Script(
            _ => LlmReply.Calls(null, new LlmToolCall("call_bad", tool, arguments)),
            request => LlmReply.Answer(request.ToolResult("call_bad")["error"]!.GetValue<string>()));

        var run = (await (await client.PostAsJsonAsync("api/agents/runs", new { goal = "Check the cost" }, Ct)).Content.ReadFromJsonAsync<AgentRun>(Ct))!;

        var refusal = Assert.Single(run.Steps, s => s.Kind == "tool_refused");
        Assert.Equal(tool, refusal.Tool);
        Assert.Contains(expected, refusal.Content, StringComparison.Ordinal);
        Assert.Contains(expected, run.Answer, StringComparison.Ordinal);
        Assert.DoesNotContain(run.Steps, s => s.Kind == "tool_result");
        Assert.Equal(0, _catalog.Requests);
    }

    [Fact]
    public async Task Runs_AreTenantScoped_WhenAnotherTenantListsOrReadsThem()
    {
        var owner = await SignInAsync(_platform);
        var stranger = await SignInAsync(_platform);
        _llm.Script(_ => LlmReply.Answer("Nothing to delegate."));
        var run = (await (await owner.PostAsJsonAsync("api/agents/runs", new { goal = "Say hello" }, Ct)).Content.ReadFromJsonAsync<AgentRun>(Ct))!;

        Assert.Equal(HttpStatusCode.NotFound, (await stranger.GetAsync($"api/agents/runs/{run.Id}", Ct)).StatusCode);
        Assert.Empty((await stranger.GetFromJsonAsync<List<AgentRun>>("api/agents/runs", Ct))!);
        Assert.Equal(run.Id, (await owner.GetFromJsonAsync<List<AgentRun>>("api/agents/runs", Ct))!.Single().Id);
        Assert.Equal(["answer"], (await owner.GetFromJsonAsync<AgentRun>($"api/agents/runs/{run.Id}", Ct))!.Steps.Select(s => s.Kind));
        Assert.Equal(HttpStatusCode.Unauthorized, (await _platform.Client.GetAsync("api/agents/runs", Ct)).StatusCode);
    }

    private void ScriptPriceThenCost()
    {
        _catalog.Reset(CatalogPrices);
        _llm.Script(
            _ => LlmReply.Calls("Plan: 1. look up the gpt-4o price, 2. compute the cost.", new LlmToolCall("call_price", "pricing_lookup", """{"model":"gpt-4o"}""")),
            request =>
            {
                var price = request.ToolResult("call_price")["pricePer1kTokens"]!.GetValue<decimal>().ToString(CultureInfo.InvariantCulture);
                return LlmReply.Calls(null, new LlmToolCall("call_cost", "cost_calculator", $$"""{"tokens":120000,"pricePer1kTokens":{{price}}}"""));
            },
            request => LlmReply.Answer($"120k gpt-4o tokens cost {request.ToolResult("call_cost")["cost"]}."));
    }

    /// <summary>A user signed in the way a browser does: the OAuth callback of the platform's auth service.</summary>
    private async Task<HttpClient> SignInThroughLoginAsync(string email) =>
        host.ClientFor(_platform, (await AuthApi.SignInAsync(_platform, host.OAuth, email)).AccessToken);

    private async Task<HttpClient> SignInAsync(PlatformInstance platform) => (await SignInWithTokenAsync(platform)).Client;

    /// <summary>A user in a tenant of their own (a fresh email domain) with a platform token.</summary>
    private async Task<(HttpClient Client, string Token)> SignInWithTokenAsync(PlatformInstance platform)
    {
        var subject = Guid.NewGuid().ToString("N");
        var user = await platform.Services.GetRequiredService<UserDirectory>()
            .UpsertFromProviderAsync("oauth", new ExternalIdentity(subject, $"ana@{subject}.example", "Ana"), Ct);
        var token = platform.Services.GetRequiredService<AccessTokenIssuer>().Issue(user, Guid.NewGuid().ToString("N")).AccessToken;
        return (host.ClientFor(platform, token), token);
    }
}
