using System.Net.Http.Json;
using Apex.Integration.Fakes;
using Apex.Integration.Infrastructure;
using Apex.Platform.Agents;
using Apex.Platform.Agents.Costs;
using Apex.Platform.Agents.Llm;
using Microsoft.Extensions.AI;

namespace Apex.Integration.AgentOrchestration;

/// <summary>
/// Each LLM call of a run is priced from the usage the provider reported (1,000 input and 200
/// output tokens per call here) and the platform's price catalog (2.50 and 10.00 per million), in
/// decimal: 0.0045 a call. Costs add up per run, tenant and day in PostgreSQL; a tenant crossing
/// its daily budget of 0.01 gets one alert; and the tracked usage reconciles with the provider's
/// own usage report, which also exposes a call that went untracked.
/// </summary>
[PlanItem(48)]
[BusinessValue(
    segment: "All tiers; finance and platform operators",
    businessGoal: "Cost visibility: what every agent run costs, per tenant and day",
    valueImpact: "$10K MRR",
    strategicImpact: "Optimisation: budgets alert before the invoice does, and tracked spend matches the provider's bill")]
public sealed class AgentCostTrackingTests(AgentCostTrackingTests.Host host) : IClassFixture<AgentCostTrackingTests.Host>
{
    private const decimal CallCost = 0.0045m;
    private readonly AgentPlatform _agents = host.Agents;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public sealed class Host(PostgresServer postgres, RedisServer redis) : AgentClassHost(postgres, redis)
    {
        protected override string Owner => "agents48";

        protected override IReadOnlyDictionary<string, string?> Settings => new Dictionary<string, string?>
        {
            [$"Platform:Agents:Costs:Prices:{FakeLlmProvider.Model}:InputPerMillion"] = "2.50",
            [$"Platform:Agents:Costs:Prices:{FakeLlmProvider.Model}:OutputPerMillion"] = "10.00",
            ["Platform:Agents:Costs:DailyBudgetPerTenant"] = "0.01",
        };
    }

    [Fact]
    public async Task Run_IsPricedPerCallFromReportedUsage_AndAggregatedPerRunDayAndModel()
    {
        var user = await _agents.SignInAsync();

        var run = await PricedRunAsync(user);
        var report = (await user.Client.GetFromJsonAsync<LlmEndpoints.CostReport>("api/agents/costs", Ct))!;

        var byRun = Assert.Single(report.ByRun);
        Assert.Equal(new CostTotal(run.Id.ToString(), 2000, 400, 2 * CallCost, 2), byRun);
        Assert.Equal(new CostTotal(DateTime.UtcNow.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture), 2000, 400, 2 * CallCost, 2), Assert.Single(report.ByDay));
        Assert.Equal(FakeLlmProvider.Model, Assert.Single(report.ByModel).Key);
        Assert.Empty(report.Alerts);
    }

    [Fact]
    public async Task BudgetAlert_IsRaisedOnceWhenATenantCrossesItsDailyBudget_AndOnlyForThatTenant()
    {
        var spender = await _agents.SignInAsync();
        var frugal = await _agents.SignInAsync();

        await PricedRunAsync(spender);
        var afterFirst = (await spender.Client.GetFromJsonAsync<LlmEndpoints.CostReport>("api/agents/costs", Ct))!.Alerts;
        await PricedRunAsync(spender);
        await PricedRunAsync(spender);
        await PricedRunAsync(frugal);
        var report = (await spender.Client.GetFromJsonAsync<LlmEndpoints.CostReport>("api/agents/costs", Ct))!;
        var byTenant = await _agents.Service<CostTracker>().ByTenantAsync(DateOnly.FromDateTime(DateTime.UtcNow), Ct);

        Assert.Empty(afterFirst);
        var alert = Assert.Single(report.Alerts);
        Assert.Equal((0.01m, 3 * CallCost), (alert.Budget, alert.Spent));
        Assert.Equal(6 * CallCost, report.ByDay.Single().Cost);
        Assert.Empty((await frugal.Client.GetFromJsonAsync<LlmEndpoints.CostReport>("api/agents/costs", Ct))!.Alerts);
        Assert.Equal(6 * CallCost, byTenant.Single(t => t.Key == spender.User.TenantId.ToString()).Cost);
        Assert.Equal(2 * CallCost, byTenant.Single(t => t.Key == frugal.User.TenantId.ToString()).Cost);
    }

    [Fact]
    public async Task Reconciliation_MatchesTheProviderReport_AndShowsACallThatWentUntracked()
    {
        var user = await _agents.SignInAsync();
        await PricedRunAsync(user);

        var matched = (await user.Client.GetFromJsonAsync<List<UsageDifference>>("api/agents/costs/reconciliation", Ct))!;
        // A call made outside any run (no tenant to charge) reaches the provider but not the cost records.
        _agents.Llm.Script(_ => new LlmReply("stray", []) { PromptTokens = 300, CompletionTokens = 30 });
        await _agents.Service<LlmClientFactory>().Client.GetResponseAsync("untracked", cancellationToken: Ct);
        var mismatched = (await user.Client.GetFromJsonAsync<List<UsageDifference>>("api/agents/costs/reconciliation", Ct))!;

        var before = Assert.Single(matched);
        Assert.True(before.Matches);
        Assert.Equal(("primary", FakeLlmProvider.Model), (before.Provider, before.Model));
        var after = Assert.Single(mismatched);
        Assert.False(after.Matches);
        Assert.Equal((300L, 30L), (after.ReportedInput - after.TrackedInput, after.ReportedOutput - after.TrackedOutput));
    }

    private async Task<AgentRun> PricedRunAsync(SignedIn user)
    {
        _agents.Llm.Script(
            _ => new LlmReply("Plan: list price.", [new LlmToolCall("call_list", "list_prices", """{"model":"gpt-4o"}""")]) { PromptTokens = 1000, CompletionTokens = 200 },
            _ => new LlmReply("Done.", []) { PromptTokens = 1000, CompletionTokens = 200 });
        var response = await user.Client.PostAsJsonAsync("api/agents/runs", new { goal = "Price check" }, Ct);
        var run = (await response.Content.ReadFromJsonAsync<AgentRun>(Ct))!;
        Assert.Equal("completed", run.Status);
        return run;
    }
}
