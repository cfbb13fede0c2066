using System.Net.Http.Json;
using Apex.Integration.Fakes;
using Apex.Integration.Infrastructure;
using Apex.Platform.Agents;
using Apex.Platform.Agents.Fallbacks;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace Apex.Integration.AgentOrchestration;

/// <summary>
/// A configured chain, "price", offered to the model as one tool: the live price catalog (a fake
/// over HTTP) first, the shipped list prices next. The catalog failing moves the call to the list
/// prices with the reason recorded; the catalog is skipped for its one-minute cool down (on the
/// platform's FakeTimeProvider) and tried first again after it, returning to it once it answers.
/// </summary>
[PlanItem(40)]
[BusinessValue(
    segment: "All tiers using AI agents",
    businessGoal: "Resilience: an agent whose backend fails is replaced by the next in line, automatically",
    valueImpact: "$10K MRR",
    strategicImpact: "Availability: answers keep coming during an outage, and the better source is used again as soon as it is back")]
public sealed class AgentFallbackStrategyTests(AgentFallbackStrategyTests.Host host) : IClassFixture<AgentFallbackStrategyTests.Host>
{
    private const string Chain = "price";
    private readonly AgentPlatform _agents = host.Agents;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public sealed class Host(PostgresServer postgres, RedisServer redis) : AgentClassHost(postgres, redis)
    {
        public FakeTimeProvider Clock { get; } = new(DateTimeOffset.UtcNow);

        protected override string Owner => "agents40";

        protected override IReadOnlyDictionary<string, string?> Settings => new Dictionary<string, string?>
        {
            [$"Platform:Agents:Fallbacks:Chains:{Chain}:0"] = "pricing_lookup",
            [$"Platform:Agents:Fallbacks:Chains:{Chain}:1"] = "list_prices",
            ["Platform:Agents:Fallbacks:CoolDown"] = "00:01:00",
        };

        protected override void AddServices(IServiceCollection services) => services.AddSingleton<TimeProvider>(Clock);
    }

    [Fact]
    public async Task PrimaryFailure_FallsBackRecordsWhy_SkipsItDuringTheCoolDown_AndReturnsWhenItRecovers()
    {
        host.Clock.Advance(TimeSpan.FromMinutes(10));
        // PostgreSQL keeps microseconds: a second of margin, since the clock does not move during the test until the recovery.
        var since = host.Clock.GetUtcNow().AddSeconds(-1);
        var user = await _agents.SignInAsync();
        _agents.Catalog.Reset(new Dictionary<string, decimal> { ["gpt-4o"] = 0.25m });
        _agents.Catalog.Down = true;

        var duringOutage = await PriceAsync(user, "gpt-4o");
        _agents.Catalog.Reset(new Dictionary<string, decimal> { ["gpt-4o"] = 0.25m });
        var duringCoolDown = await PriceAsync(user, "gpt-4o");
        var catalogCallsInCoolDown = _agents.Catalog.Requests;
        host.Clock.Advance(TimeSpan.FromSeconds(61));
        var afterRecovery = await PriceAsync(user, "gpt-4o");

        Assert.Equal("list 0.30", duringOutage);
        Assert.Equal("list 0.30", duringCoolDown);
        Assert.Equal(0, catalogCallsInCoolDown);
        Assert.Equal("catalog 0.25", afterRecovery);
        var events = (await user.Client.GetFromJsonAsync<List<FallbackEvent>>($"api/agents/fallbacks/{Chain}/events", Ct))!
            .Where(e => e.At >= since && !(e is { Member: "list_prices", Event: "recovered" })).ToList();
        Assert.Equal([("list_prices", "fallback"), ("list_prices", "fallback"), ("pricing_lookup", "recovered")], events.Select(e => (e.Member, e.Event)));
        Assert.StartsWith("pricing_lookup: ", events[0].Reason, StringComparison.Ordinal);
        Assert.Contains("503", events[0].Reason, StringComparison.Ordinal);
        Assert.Equal("pricing_lookup is cooling down", events[1].Reason);
    }

    [Fact]
    public async Task EveryMemberFailing_FailsTheToolCallWithEachMemberAndReasonNamed()
    {
        host.Clock.Advance(TimeSpan.FromMinutes(10));
        var user = await _agents.SignInAsync();
        _agents.Catalog.Reset(new Dictionary<string, decimal>());

        var answer = await PriceAsync(user, "llama-9");

        Assert.StartsWith("failed: ", answer, StringComparison.Ordinal);
        Assert.Contains("Every member of chain 'price' failed: pricing_lookup: ", answer, StringComparison.Ordinal);
        Assert.Contains("list_prices: No list price for model 'llama-9'", answer, StringComparison.Ordinal);
    }

    [Fact]
    public async Task TheChain_IsOfferedToTheModelAsOneToolWithThePrimarysParameters()
    {
        var user = await _agents.SignInAsync();
        _agents.Llm.Script(_ => LlmReply.Answer("ok"));

        await user.Client.PostAsJsonAsync("api/agents/runs", new { goal = "Which tools?" }, Ct);

        var request = _agents.Llm.Requests[0];
        Assert.Contains(Chain, request.ToolNames);
        var tool = request.Body["tools"]!.AsArray().Single(t => t!["function"]!["name"]!.GetValue<string>() == Chain)!;
        Assert.EndsWith("Falls back through: pricing_lookup -> list_prices.", tool["function"]!["description"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.NotNull(tool["function"]!["parameters"]!["properties"]!["model"]);
    }

    /// <summary>A run whose model asks the chain for a price; answers "source price" or "failed: reason".</summary>
    private async Task<string> PriceAsync(SignedIn user, string model)
    {
        _agents.Llm.Script(
            _ => LlmReply.Calls(null, new LlmToolCall("call_price", Chain, $$"""{"model":"{{model}}"}""")),
            request =>
            {
                var result = request.ToolResult("call_price");
                return LlmReply.Answer(result["status"]?.GetValue<string>() == "failed"
                    ? $"failed: {result["error"]}"
                    : $"{result["source"]} {result["pricePer1kTokens"]}");
            });
        var run = (await (await user.Client.PostAsJsonAsync("api/agents/runs", new { goal = $"Price of {model}?" }, Ct)).Content.ReadFromJsonAsync<AgentRun>(Ct))!;
        return run.Answer!;
    }
}
