using System.Diagnostics.Metrics;
using Microsoft.Extensions.Options;

namespace Apex.Platform.Agents.Metrics;

public sealed class AgentMetricsOptions
{
    public const string SectionName = "Platform:Agents:Metrics";

    /// <summary>The meter's name; one per deployment, so two platforms in one process do not mix figures.</summary>
    public string MeterName { get; set; } = AgentMetrics.DefaultMeterName;

    /// <summary>The alert fires when failed runs / finished runs in the window reach this ratio.</summary>
    [System.ComponentModel.DataAnnotations.Range(0.01, 1.0, ErrorMessage = "Platform:Agents:Metrics:FailureRatioThreshold must be between 0.01 and 1.")]
    public double FailureRatioThreshold { get; set; } = 0.5;

    /// <summary>Fewer finished runs than this in the window never fire the alert (one failure of one run is not a trend).</summary>
    [System.ComponentModel.DataAnnotations.Range(1, 100_000, ErrorMessage = "Platform:Agents:Metrics:MinimumRuns must be at least 1.")]
    public int MinimumRuns { get; set; } = 4;

    public TimeSpan Window { get; set; } = TimeSpan.FromMinutes(5);
}

public sealed record AlertState(string Rule, bool Firing, int Runs, int Failed, double Ratio, DateTimeOffset? Since);

/// <summary>
/// The agents' instruments (System.Diagnostics.Metrics, exported by OpenTelemetry): runs by final
/// status, steps by kind, LLM calls by provider and outcome, tokens by direction, LLM latency, and
/// failures; plus the one alert rule that matters to operators, failed runs over a sliding window.
/// </summary>
public sealed class AgentMetrics : IDisposable
{
    public const string DefaultMeterName = "Apex.Agents";
    public const string FailureRule = "agent-run-failure-ratio";

    private readonly Meter _meter;
    private readonly Counter<long> _runs;
    private readonly Counter<long> _steps;
    private readonly Counter<long> _calls;
    private readonly Counter<long> _tokens;
    private readonly Counter<long> _failures;
    private readonly Histogram<double> _latency;
    private readonly IOptions<AgentMetricsOptions> _options;
    private readonly TimeProvider _time;
    private readonly Lock _gate = new();
    private readonly Queue<(DateTimeOffset At, bool Failed)> _finished = new();
    private DateTimeOffset? _firingSince;

    public AgentMetrics(IMeterFactory meters, IOptions<AgentMetricsOptions> options, TimeProvider time)
    {
        _options = options;
        _time = time;
        _meter = meters.Create(options.Value.MeterName);
        _runs = _meter.CreateCounter<long>("apex.agent.runs", "{run}", "Agent runs finished, by status.");
        _steps = _meter.CreateCounter<long>("apex.agent.steps", "{step}", "Run steps stored, by kind.");
        _calls = _meter.CreateCounter<long>("apex.agent.llm.calls", "{call}", "LLM calls, by provider and outcome.");
        _tokens = _meter.CreateCounter<long>("apex.agent.llm.tokens", "{token}", "LLM tokens, by direction (input, output).");
        _failures = _meter.CreateCounter<long>("apex.agent.failures", "{failure}", "Failures: runs failed and LLM calls failed, by where.");
        _latency = _meter.CreateHistogram<double>("apex.agent.llm.duration", "s", "LLM call latency.");
    }

    public event Action<AlertState>? AlertChanged;

    public void RunFinished(string status)
    {
        _runs.Add(1, new KeyValuePair<string, object?>("status", status));
        if (status is "completed" or "failed") Observe(status == "failed");
        if (status == "failed") _failures.Add(1, new KeyValuePair<string, object?>("where", "run"));
    }

    public void Step(string kind) => _steps.Add(1, new KeyValuePair<string, object?>("kind", kind));

    public void LlmCall(string provider, bool succeeded, TimeSpan latency, long inputTokens, long outputTokens)
    {
        var tags = new[] { new KeyValuePair<string, object?>("provider", provider), new KeyValuePair<string, object?>("outcome", succeeded ? "ok" : "error") };
        _calls.Add(1, tags);
        _latency.Record(latency.TotalSeconds, tags);
        if (!succeeded) _failures.Add(1, new KeyValuePair<string, object?>("where", "llm"));
        if (inputTokens > 0) _tokens.Add(inputTokens, new KeyValuePair<string, object?>("direction", "input"));
        if (outputTokens > 0) _tokens.Add(outputTokens, new KeyValuePair<string, object?>("direction", "output"));
    }

    public AlertState Alert()
    {
        lock (_gate) return State();
    }

    private void Observe(bool failed)
    {
        AlertState? changed;
        lock (_gate)
        {
            var now = _time.GetUtcNow();
            _finished.Enqueue((now, failed));
            while (_finished.Count > 0 && _finished.Peek().At < now - _options.Value.Window) _finished.Dequeue();
            var state = State();
            var firing = state.Runs >= _options.Value.MinimumRuns && state.Ratio >= _options.Value.FailureRatioThreshold;
            changed = firing == (_firingSince is not null) ? null : state with { Firing = firing, Since = firing ? now : null };
            if (changed is not null) _firingSince = changed.Since;
        }

        if (changed is not null) AlertChanged?.Invoke(changed);
    }

    private AlertState State()
    {
        var failed = _finished.Count(f => f.Failed);
        var ratio = _finished.Count == 0 ? 0 : (double)failed / _finished.Count;
        return new AlertState(FailureRule, _firingSince is not null, _finished.Count, failed, ratio, _firingSince);
    }

    public void Dispose() => _meter.Dispose();
}
