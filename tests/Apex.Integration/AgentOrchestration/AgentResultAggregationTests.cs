using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Apex.Integration.Infrastructure;
using Apex.Platform.Agents;
using Apex.Platform.Agents.Aggregation;
using Microsoft.Extensions.DependencyInjection;

namespace Apex.Integration.AgentOrchestration;

/// <summary>
/// One question put to several real sub-agents through the platform's dispatcher: the live price
/// catalog (a fake over HTTP), the shipped list prices and fixed-opinion estimators. Disagreements
/// are settled by the policy the caller names, the conflict is stored in PostgreSQL, and one
/// formatted answer comes back; failed sub-agents are left out and named.
/// </summary>
[PlanItem(38)]
[BusinessValue(
    segment: "All tiers using AI agents",
    businessGoal: "Result quality: several agents' answers merged into one the user can trust",
    valueImpact: "$8K MRR",
    strategicImpact: "Output value: conflicts between agents are settled by a stated rule and recorded, never silently picked")]
public sealed class AgentResultAggregationTests(AgentResultAggregationTests.Host host) : IClassFixture<AgentResultAggregationTests.Host>
{
    private readonly AgentPlatform _agents = host.Agents;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public sealed class Host(PostgresServer postgres, RedisServer redis) : AgentClassHost(postgres, redis)
    {
        protected override string Owner => "agents38";

        protected override void AddServices(IServiceCollection services)
        {
            services.AddSingleton<ISubAgent>(new FixedAnswerAgent("estimate_high", JsonValue.Create(0.30m), 0.9));
            services.AddSingleton<ISubAgent>(new FixedAnswerAgent("estimate_low", JsonValue.Create(0.25m), 0.2));
            services.AddSingleton<ISubAgent>(new FixedAnswerAgent("estimate_low_too", JsonValue.Create("0.250"), 0.3));
        }
    }

    [Fact]
    public async Task Aggregate_PrefersTheRankedSourceAndRecordsTheConflict_WhenCatalogAndListPricesDisagree()
    {
        var user = await _agents.SignInAsync();
        _agents.Catalog.Reset(new Dictionary<string, decimal> { ["gpt-4o"] = 0.25m });

        var result = await AggregateAsync(user, ["list_prices", "pricing_lookup"], "sourcePriority", ["pricing_lookup", "list_prices"]);

        Assert.Equal(("0.25", true, ConflictPolicy.SourcePriority), (result.Answer, result.Conflict, result.Policy));
        Assert.Equal(["pricing_lookup"], result.Supporting);
        Assert.Equal(("list_prices", "0.30"), (result.Dissenting.Single().Agent, result.Dissenting.Single().Answer));
        Assert.Contains("'pricing_lookup' ranks first", result.Reason, StringComparison.Ordinal);
        Assert.Equal("Answer: 0.25\nSupported by: pricing_lookup\nConflict settled by SourcePriority (" + result.Reason + "); overruled: list_prices=0.30", result.Formatted);
        var conflict = Assert.Single(await user.Client.GetFromJsonAsync<List<RecordedConflict>>("api/agents/aggregate/conflicts", Ct) ?? []);
        Assert.Equal(("pricePer1kTokens", "SourcePriority", "0.25"), (conflict.Field, conflict.Policy, conflict.Chosen));
        Assert.Equal(["list_prices", "pricing_lookup"], conflict.Answers.Select(a => a.Agent).Order());
    }

    [Theory]
    [InlineData("majority", new[] { "estimate_high", "estimate_low", "estimate_low_too" }, "0.25", "majority: 2 of 3 sub-agents")]
    [InlineData("confidence", new[] { "estimate_high", "estimate_low", "estimate_low_too" }, "0.30", "highest confidence")]
    [InlineData("majority", new[] { "estimate_high", "estimate_low" }, "0.30", "majority tied at 1; settled by highest confidence")]
    public async Task Aggregate_SettlesTheConflictByTheStatedPolicy_WhenEstimatorsDisagree(string policy, string[] agents, string expected, string reason)
    {
        var user = await _agents.SignInAsync();

        var result = await AggregateAsync(user, agents, policy);

        Assert.True(result.Conflict);
        Assert.Equal((expected, reason), (decimal.Parse(result.Answer, System.Globalization.CultureInfo.InvariantCulture).ToString("0.00", System.Globalization.CultureInfo.InvariantCulture), result.Reason));
        Assert.Equal(agents.Length, result.Supporting.Count + result.Dissenting.Count);
        Assert.Single(await user.Client.GetFromJsonAsync<List<RecordedConflict>>("api/agents/aggregate/conflicts", Ct) ?? []);
    }

    [Fact]
    public async Task Aggregate_IsNoConflict_WhenAnswersDifferOnlyInNumericForm()
    {
        var user = await _agents.SignInAsync();

        var result = await AggregateAsync(user, ["estimate_low", "estimate_low_too"], "majority");

        Assert.False(result.Conflict);
        Assert.Equal(("all sub-agents agree", 2), (result.Reason, result.Supporting.Count));
        Assert.Empty(await user.Client.GetFromJsonAsync<List<RecordedConflict>>("api/agents/aggregate/conflicts", Ct) ?? []);
    }

    [Fact]
    public async Task Aggregate_LeavesOutAndNamesFailedSubAgents_WhenTheCatalogIsDown()
    {
        var user = await _agents.SignInAsync();
        _agents.Catalog.Reset(new Dictionary<string, decimal> { ["gpt-4o"] = 0.25m });
        _agents.Catalog.Down = true;

        var result = await AggregateAsync(user, ["pricing_lookup", "list_prices"], "sourcePriority", ["pricing_lookup"]);

        Assert.Equal(("0.30", false), (result.Answer, result.Conflict));
        Assert.Equal(["pricing_lookup"], result.Failed);
        Assert.EndsWith("Not answered: pricing_lookup", result.Formatted, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Aggregate_AnswersProblemNamingEveryFailure_WhenNoSubAgentAnswers()
    {
        var user = await _agents.SignInAsync();
        _agents.Catalog.Reset(new Dictionary<string, decimal>());
        _agents.Catalog.Down = true;

        var response = await PostAsync(user, new { agents = new[] { "pricing_lookup", "list_prices" }, arguments = new { model = "llama-9" }, field = "pricePer1kTokens", policy = "majority" });
        var invalid = await PostAsync(user, new { agents = new[] { "pricing_lookup" }, arguments = new { model = "gpt-4o" }, field = "pricePer1kTokens", policy = "loudest" });

        Assert.Equal(HttpStatusCode.BadGateway, response.StatusCode);
        Assert.Equal("No sub-agent answered; failed: pricing_lookup, list_prices.", (await ProblemAsync(response))["detail"]!.GetValue<string>());
        Assert.Equal(HttpStatusCode.BadRequest, invalid.StatusCode);
        var errors = (await ProblemAsync(invalid))["errors"]!;
        Assert.Equal("Unknown policy 'loudest'; use one of confidence, majority, sourcepriority.", errors["policy"]![0]!.GetValue<string>());
        Assert.Equal("Name at least two sub-agents to aggregate.", errors["agents"]![0]!.GetValue<string>());
    }

    private async Task<AggregatedResult> AggregateAsync(SignedIn user, string[] agents, string policy, string[]? sourcePriority = null)
    {
        var response = await PostAsync(user, new { agents, arguments = new { model = "gpt-4o" }, field = "pricePer1kTokens", policy, sourcePriority });
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return (await response.Content.ReadFromJsonAsync<AggregatedResult>(Ct))!;
    }

    private static async Task<JsonNode> ProblemAsync(HttpResponseMessage response) => JsonNode.Parse(await response.Content.ReadAsStringAsync(Ct))!;

    private static Task<HttpResponseMessage> PostAsync(SignedIn user, object body) => user.Client.PostAsJsonAsync("api/agents/aggregate", body, Ct);
}
