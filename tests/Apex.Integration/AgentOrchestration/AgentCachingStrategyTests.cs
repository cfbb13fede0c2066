using System.Net.Http.Json;
using Apex.Integration.Fakes;
using Apex.Integration.Infrastructure;
using Apex.Platform.Agents;
using Apex.Platform.Agents.Caching;
using Apex.Platform.Caching;
using Microsoft.Extensions.AI;
using StackExchange.Redis;

namespace Apex.Integration.AgentOrchestration;

/// <summary>
/// LLM responses cached in the real Redis, per tenant, by a hash of the normalised prompt within a
/// generation of model and tool set. A repeated goal (even re-spaced and re-cased) is answered
/// without calling the provider; hits and misses are counted; loading a tool or changing the model
/// starts a new generation and deletes the old entries; known prompts can be warmed in advance.
/// </summary>
[PlanItem(50)]
[BusinessValue(
    segment: "All tiers using AI agents",
    businessGoal: "Performance: repeated agent questions answered at once, without paying the provider again",
    valueImpact: "$7K MRR",
    strategicImpact: "Efficiency: a stale answer is never served after the tools or model change, and tenants never share answers")]
public sealed class AgentCachingStrategyTests(AgentCachingStrategyTests.Host host) : IClassFixture<AgentCachingStrategyTests.Host>
{
    private readonly AgentPlatform _agents = host.Agents;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public sealed class Host(PostgresServer postgres, RedisServer redis) : AgentClassHost(postgres, redis)
    {
        protected override string Owner => "agents50";

        protected override IReadOnlyDictionary<string, string?> Settings => new Dictionary<string, string?> { ["Platform:Agents:Cache:Enabled"] = "true" };
    }

    [Fact]
    public async Task RepeatedGoal_IsAnsweredFromTheCache_EvenWithDifferentSpacingAndCase()
    {
        var user = await _agents.SignInAsync();
        var before = await StatsAsync(user);
        _agents.Llm.Script(_ => LlmReply.Answer("Four."));

        var first = await RunAsync(user, "What is 2 + 2?");
        var again = await RunAsync(user, "  what IS 2 +   2? ");
        var stats = await StatsAsync(user);

        Assert.Equal(("completed", "Four."), (first.Status, first.Answer));
        Assert.Equal(("completed", "Four."), (again.Status, again.Answer));
        Assert.Single(_agents.Llm.Requests);
        Assert.Equal((1, 1), (stats.Hits - before.Hits, stats.Misses - before.Misses));
    }

    [Fact]
    public async Task AnotherTenant_MissesTheCache_ForTheSamePrompt()
    {
        var owner = await _agents.SignInAsync();
        var other = await _agents.SignInAsync();
        _agents.Llm.Script(_ => LlmReply.Answer("Owner's answer."), _ => LlmReply.Answer("Other's answer."));

        await RunAsync(owner, "Summarise our roadmap");
        var theirs = await RunAsync(other, "Summarise our roadmap");

        Assert.Equal("Other's answer.", theirs.Answer);
        Assert.Equal(2, _agents.Llm.Requests.Count);
    }

    [Fact]
    public async Task LoadingATool_StartsANewGenerationAndDeletesTheOldEntries()
    {
        var user = await _agents.SignInAsync();
        _agents.Llm.Script(_ => LlmReply.Answer("Before the new tool."), _ => LlmReply.Answer("With the new tool."));
        await RunAsync(user, "What can you do?");
        var entriesBefore = await EntriesAsync(user);
        var statsBefore = await StatsAsync(user);

        var loaded = _agents.Service<ToolRegistry>().Load(new ToolManifest("legacy_word_counter", "1.0.0", typeof(LegacyWordCounter).AssemblyQualifiedName), "test:50");
        var after = await RunAsync(user, "What can you do?");

        Assert.True(loaded.Loaded);
        Assert.Equal(1, entriesBefore);
        Assert.Equal("With the new tool.", after.Answer);
        Assert.Contains("legacy_word_counter", _agents.Llm.Requests[1].ToolNames);
        Assert.Equal(1, await EntriesAsync(user));
        Assert.Equal(1, (await StatsAsync(user)).Invalidated - statsBefore.Invalidated);
    }

    [Fact]
    public async Task ChangingTheModel_MissesAndInvalidatesTheEntriesOfTheEarlierModel()
    {
        var user = await _agents.SignInAsync();
        var cache = _agents.Service<LlmResponseCache>();
        var prompt = LlmResponseCache.PromptHash([new ChatMessage(ChatRole.User, "Classify this ticket")]);
        var oldGeneration = LlmResponseCache.Generation("fake-gpt", ["list_prices"]);
        var newGeneration = LlmResponseCache.Generation("fake-gpt-2", ["list_prices"]);
        await cache.GetAsync(user.User.TenantId, oldGeneration, prompt);
        await cache.SetAsync(user.User.TenantId, oldGeneration, prompt, new ChatResponse(new ChatMessage(ChatRole.Assistant, "billing")));

        var sameModel = await cache.GetAsync(user.User.TenantId, oldGeneration, prompt);
        var newModel = await cache.GetAsync(user.User.TenantId, newGeneration, prompt);
        var backToOld = await cache.GetAsync(user.User.TenantId, oldGeneration, prompt);

        Assert.Equal("billing", sameModel?.Text);
        Assert.NotEqual(oldGeneration, newGeneration);
        Assert.Null(newModel);
        Assert.Null(backToOld);
    }

    [Fact]
    public async Task WarmedPrompt_IsAHitOnItsFirstRun()
    {
        var user = await _agents.SignInAsync();
        _agents.Llm.Script(_ => LlmReply.Answer("gpt-4o-mini, then gpt-4o."));

        var warmed = await user.Client.PostAsJsonAsync("api/agents/cache/warm", new { prompts = new[] { "Which models are cheapest?" } }, Ct);
        var requestsAfterWarming = _agents.Llm.Requests.Count;
        var run = await RunAsync(user, "Which models are cheapest?");

        Assert.Equal(1, await warmed.Content.ReadFromJsonAsync<int>(Ct));
        Assert.Equal(1, requestsAfterWarming);
        Assert.Equal(("completed", "gpt-4o-mini, then gpt-4o."), (run.Status, run.Answer));
        Assert.Single(_agents.Llm.Requests);
    }

    private async Task<AgentRun> RunAsync(SignedIn user, string goal) =>
        (await (await user.Client.PostAsJsonAsync("api/agents/runs", new { goal }, Ct)).Content.ReadFromJsonAsync<AgentRun>(Ct))!;

    private async Task<CacheStats> StatsAsync(SignedIn user) => (await user.Client.GetFromJsonAsync<CacheStats>("api/agents/cache/stats", Ct))!;

    private async Task<int> EntriesAsync(SignedIn user)
    {
        var redis = _agents.Service<IConnectionMultiplexer>();
        var pattern = _agents.Service<RedisKeys>().Key($"llmcache:{user.User.TenantId:N}:*").ToString();
        var count = 0;
        await foreach (var key in redis.GetServers()[0].KeysAsync(pattern: pattern))
        {
            if (!key.ToString().EndsWith(":generation", StringComparison.Ordinal)) count++;
        }

        return count;
    }
}
