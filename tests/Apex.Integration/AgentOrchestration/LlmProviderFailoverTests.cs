using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Apex.Integration.Fakes;
using Apex.Integration.Infrastructure;
using Apex.Platform.Agents;
using Apex.Platform.Agents.Llm;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace Apex.Integration.AgentOrchestration;

/// <summary>
/// Three OpenAI-compatible providers, each a fake over real HTTP: the primary, a backup and a spare.
/// A 5xx, a 429 with Retry-After or no answer within the attempt timeout on the primary moves the
/// run's LLM call to the next provider; the platform records why, leaves the failed provider out
/// until its Retry-After or cool down, and its health checker returns traffic to the primary once
/// it answers again. The platform clock is a FakeTimeProvider, so cool downs pass without waiting.
/// </summary>
[PlanItem(46)]
[BusinessValue(
    segment: "All tiers using AI agents",
    businessGoal: "Provider redundancy: agent runs keep answering when one LLM provider fails",
    valueImpact: "$12K MRR",
    strategicImpact: "Availability: an outage or rate limit at one provider is invisible to customers and visible to operators")]
public sealed class LlmProviderFailoverTests(LlmProviderFailoverTests.Host host) : IClassFixture<LlmProviderFailoverTests.Host>, IAsyncLifetime
{
    private readonly AgentPlatform _agents = host.Agents;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public sealed class Host(PostgresServer postgres, RedisServer redis) : AgentClassHost(postgres, redis)
    {
        public FakeTimeProvider Clock { get; } = new(DateTimeOffset.UtcNow);

        public FakeLlmProvider Backup { get; private set; } = null!;

        public FakeLlmProvider Spare { get; private set; } = null!;

        protected override string Owner => "agents46";

        protected override IReadOnlyDictionary<string, string?> Settings => new Dictionary<string, string?>
        {
            ["Platform:Llm:AttemptTimeout"] = "00:00:02",
            ["Platform:Llm:CoolDown"] = "00:00:30",
            // The background checker would race the tests' own probes; the tests probe when they mean to.
            ["Platform:Llm:HealthCheckInterval"] = "1.00:00:00",
            ["Platform:Llm:Fallbacks:0:Name"] = "backup",
            ["Platform:Llm:Fallbacks:0:Endpoint"] = Backup.Endpoint.ToString(),
            ["Platform:Llm:Fallbacks:0:ApiKey"] = FakeLlmProvider.ApiKey,
            ["Platform:Llm:Fallbacks:0:Model"] = "backup-gpt",
            ["Platform:Llm:Fallbacks:1:Name"] = "spare",
            ["Platform:Llm:Fallbacks:1:Endpoint"] = Spare.Endpoint.ToString(),
            ["Platform:Llm:Fallbacks:1:ApiKey"] = FakeLlmProvider.ApiKey,
            ["Platform:Llm:Fallbacks:1:Model"] = "spare-gpt",
        };

        protected override void AddServices(IServiceCollection services) => services.AddSingleton<TimeProvider>(Clock);

        public override async ValueTask InitializeAsync()
        {
            Backup = await FakeLlmProvider.StartNewAsync();
            Spare = await FakeLlmProvider.StartNewAsync();
            await base.InitializeAsync();
        }

        public override async ValueTask DisposeAsync()
        {
            await base.DisposeAsync();
            await Backup.DisposeAsync();
            await Spare.DisposeAsync();
        }
    }

    /// <summary>Every provider well and in rotation, answering with its own name.</summary>
    public async ValueTask InitializeAsync()
    {
        foreach (var (provider, name) in new[] { (_agents.Llm, "primary"), (host.Backup, "backup"), (host.Spare, "spare") })
        {
            (provider.FailWith, provider.RetryAfter) = (null, null);
            provider.Script();
            provider.Fallback = _ => LlmReply.Answer($"answered by {name}");
        }

        host.Clock.Advance(TimeSpan.FromHours(1));
        await _agents.Service<ProviderHealthChecker>().ProbeDueAsync(Ct);
    }

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;

    [Fact]
    public async Task ServerError_OnThePrimary_FailsOverToTheBackup_AndRecordsWhy()
    {
        var user = await _agents.SignInAsync();
        _agents.Llm.FailWith = 503;

        var first = await RunAsync(user);
        var second = await RunAsync(user);

        Assert.Equal(("completed", "answered by backup"), (first.Status, first.Answer));
        Assert.Equal("answered by backup", second.Answer);
        Assert.Single(_agents.Llm.Requests);
        Assert.Equal("backup-gpt", host.Backup.Requests[0].Model);
        var events = await EventsSinceAsync(user);
        Assert.Contains(events, e => e is { Provider: "primary", Event: "failed", Reason: "HTTP 503" });
        Assert.Contains(events, e => e is { Provider: "backup", Event: "served", Reason: "failed over from primary (HTTP 503)" });
    }

    [Fact]
    public async Task RateLimit_KeepsThePrimaryOutForItsRetryAfter_ThenTheHealthCheckReturnsTrafficToIt()
    {
        var user = await _agents.SignInAsync();
        var checker = _agents.Service<ProviderHealthChecker>();
        (_agents.Llm.FailWith, _agents.Llm.RetryAfter) = (429, "20");

        var limited = await RunAsync(user);
        _agents.Llm.FailWith = null;
        var tooEarly = await checker.ProbeDueAsync(Ct);
        var stillOnBackup = await RunAsync(user);
        host.Clock.Advance(TimeSpan.FromSeconds(21));
        var recovered = await checker.ProbeDueAsync(Ct);
        var back = await RunAsync(user);

        Assert.Equal("answered by backup", limited.Answer);
        Assert.Contains(await EventsSinceAsync(user), e => e is { Provider: "primary", Event: "failed", Reason: "rate limited (429, Retry-After 20 s)" });
        Assert.Empty(tooEarly);
        Assert.Equal("answered by backup", stillOnBackup.Answer);
        Assert.Equal(["primary"], recovered);
        Assert.Equal("answered by primary", back.Answer);
        Assert.Contains(await EventsSinceAsync(user), e => e is { Provider: "primary", Event: "recovered" });
    }

    [Fact]
    public async Task NoAnswerWithinTheAttemptTimeout_FailsOverToTheBackup()
    {
        var user = await _agents.SignInAsync();
        _agents.Llm.Script(_ => LlmReply.Stalled());

        var run = await RunAsync(user);

        Assert.Equal(("completed", "answered by backup"), (run.Status, run.Answer));
        Assert.Contains(await EventsSinceAsync(user), e => e is { Provider: "primary", Event: "failed", Reason: "no answer within 2 s" });
    }

    [Fact]
    public async Task EveryProviderFailing_FailsTheRunWithEachProviderAndReasonNamed()
    {
        var user = await _agents.SignInAsync();
        _agents.Llm.FailWith = 500;
        host.Backup.FailWith = 502;
        (host.Spare.FailWith, host.Spare.RetryAfter) = (429, "60");

        var response = await user.Client.PostAsJsonAsync("api/agents/runs", new { goal = "Anyone there?" }, Ct);

        Assert.Equal(HttpStatusCode.BadGateway, response.StatusCode);
        var detail = JsonNode.Parse(await response.Content.ReadAsStringAsync(Ct))!["detail"]!.GetValue<string>();
        Assert.Contains("Every LLM provider failed: primary (HTTP 500); backup (HTTP 502); spare (rate limited (429, Retry-After 60 s)).", detail, StringComparison.Ordinal);
    }

    private async Task<AgentRun> RunAsync(SignedIn user)
    {
        var response = await user.Client.PostAsJsonAsync("api/agents/runs", new { goal = "Which provider answers?" }, Ct);
        return (await response.Content.ReadFromJsonAsync<AgentRun>(Ct))!;
    }

    private async Task<List<ProviderEvent>> EventsSinceAsync(SignedIn user) =>
        [.. (await user.Client.GetFromJsonAsync<List<ProviderEvent>>("api/agents/providers/events", Ct))!.Where(e => e.At >= host.Clock.GetUtcNow().AddMinutes(-5))];
}
