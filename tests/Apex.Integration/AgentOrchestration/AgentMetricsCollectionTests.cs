using System.Globalization;
using System.Net.Http.Json;
using Apex.Integration.Fakes;
using Apex.Integration.Infrastructure;
using Apex.Platform.Agents;
using Apex.Platform.Agents.Metrics;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace Apex.Integration.AgentOrchestration;

/// <summary>
/// The platform's agent instruments (System.Diagnostics.Metrics) exported by OpenTelemetry in
/// Prometheus text format at /api/agents/metrics, read over HTTP as a scraper would: runs by
/// status, steps by kind, LLM calls, tokens, latency and failures move with real runs against the
/// fake provider. The failure-ratio alert fires when half of at least four recent runs failed, and
/// resolves when the ratio falls.
/// </summary>
[PlanItem(41)]
[BusinessValue(
    segment: "Platform operators; Enterprise customers with SLAs",
    businessGoal: "Observability: agent health visible in the standard monitoring stack",
    valueImpact: "$6K MRR",
    strategicImpact: "Operational excellence: a rising failure ratio pages someone before customers report it")]
public sealed class AgentMetricsCollectionTests(AgentMetricsCollectionTests.Host host) : IClassFixture<AgentMetricsCollectionTests.Host>
{
    private readonly AgentPlatform _agents = host.Agents;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public sealed class Host(PostgresServer postgres, RedisServer redis) : AgentClassHost(postgres, redis)
    {
        public FakeTimeProvider Clock { get; } = new(DateTimeOffset.UtcNow);

        protected override string Owner => "agents41";

        // A meter name of its own: other platforms in this test process must not add to these figures.
        protected override IReadOnlyDictionary<string, string?> Settings => new Dictionary<string, string?>
        {
            ["Platform:Agents:Metrics:MeterName"] = "Apex.Agents.Item41",
            ["Platform:Agents:Metrics:MinimumRuns"] = "4",
            ["Platform:Agents:Metrics:FailureRatioThreshold"] = "0.5",
        };

        protected override void AddServices(IServiceCollection services) => services.AddSingleton<TimeProvider>(Clock);
    }

    [Fact]
    public async Task Runs_MoveTheExportedInstruments_InPrometheusFormat()
    {
        var user = await _agents.SignInAsync();
        var before = await ScrapeAsync();

        await RunAsync(user, succeed: true);
        await RunAsync(user, succeed: false);
        var after = await ScrapeAsync();

        Assert.Equal(1, Delta(before, after, "apex_agent_runs_total", "status=\"completed\""));
        Assert.Equal(1, Delta(before, after, "apex_agent_runs_total", "status=\"failed\""));
        Assert.Equal(1, Delta(before, after, "apex_agent_steps_total", "kind=\"tool_call\""));
        Assert.Equal(1, Delta(before, after, "apex_agent_steps_total", "kind=\"answer\""));
        Assert.Equal(2, Delta(before, after, "apex_agent_llm_calls_total", "outcome=\"ok\""));
        Assert.Equal(1, Delta(before, after, "apex_agent_llm_calls_total", "outcome=\"error\""));
        Assert.Equal(20, Delta(before, after, "apex_agent_llm_tokens_total", "direction=\"input\""));
        Assert.Equal(10, Delta(before, after, "apex_agent_llm_tokens_total", "direction=\"output\""));
        Assert.Equal(3, Delta(before, after, "apex_agent_llm_duration_seconds_count", "provider=\"primary\""));
        Assert.Equal(1, Delta(before, after, "apex_agent_failures_total", "where=\"run\""));
        Assert.Contains("# TYPE apex_agent_llm_duration_seconds histogram", after, StringComparison.Ordinal);
    }

    [Fact]
    public async Task FailureRatioAlert_FiresAtHalfOfFourRuns_AndResolvesWhenTheRatioFalls()
    {
        // Runs of the other tests leave the window; the token is issued after, by the advanced clock.
        host.Clock.Advance(TimeSpan.FromHours(1));
        var user = await _agents.SignInAsync();
        var metrics = _agents.Service<AgentMetrics>();
        var changes = new List<AlertState>();
        metrics.AlertChanged += changes.Add;

        await RunAsync(user, succeed: true);
        await RunAsync(user, succeed: false);
        await RunAsync(user, succeed: true);
        var belowMinimum = metrics.Alert();
        await RunAsync(user, succeed: false);
        var fired = (await user.Client.GetFromJsonAsync<List<AlertState>>("api/agents/alerts", Ct))!.Single();
        for (var i = 0; i < 4; i++) await RunAsync(user, succeed: true);
        var resolved = metrics.Alert();
        metrics.AlertChanged -= changes.Add;

        Assert.Equal((false, 3, 1), (belowMinimum.Firing, belowMinimum.Runs, belowMinimum.Failed));
        Assert.Equal((AgentMetrics.FailureRule, true, 4, 2, 0.5), (fired.Rule, fired.Firing, fired.Runs, fired.Failed, fired.Ratio));
        Assert.Equal((false, 8, 0.25), (resolved.Firing, resolved.Runs, resolved.Ratio));
        Assert.Equal([true, false], changes.Select(c => c.Firing));
    }

    private async Task RunAsync(SignedIn user, bool succeed)
    {
        if (succeed)
        {
            _agents.Llm.Script(
                _ => LlmReply.Calls(null, new LlmToolCall("call_list", "list_prices", """{"model":"gpt-4o"}""")),
                _ => LlmReply.Answer("0.30"));
        }
        else
        {
            // An empty script: the provider answers 500 and the run fails.
            _agents.Llm.Script();
        }

        var response = await user.Client.PostAsJsonAsync("api/agents/runs", new { goal = "Price?" }, Ct);
        Assert.Equal(succeed ? System.Net.HttpStatusCode.Created : System.Net.HttpStatusCode.BadGateway, response.StatusCode);
    }

    private async Task<string> ScrapeAsync() => await _agents.Instance.Client.GetStringAsync("api/agents/metrics", Ct);

    private static double Delta(string before, string after, string metric, string label) => Value(after, metric, label) - Value(before, metric, label);

    private static double Value(string exposition, string metric, string label) => exposition.Split('\n')
        .Where(line => line.StartsWith(metric + "{", StringComparison.Ordinal) && line.Contains(label, StringComparison.Ordinal))
        .Sum(line => double.Parse(line[(line.IndexOf('}', StringComparison.Ordinal) + 2)..].Split(' ')[0], CultureInfo.InvariantCulture));
}
