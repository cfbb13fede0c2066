using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace Apex.Coverage.Web.Telemetry;

/// <summary>
/// The dashboard's own metrics and traces, under one name (<see cref="Name"/>) for the meter and
/// the activity source: runs (started, ended by status, duration), CI uploads (count by outcome,
/// duration, results stored) and coverage report computations (duration). Exported only when
/// OpenTelemetry is configured (see <see cref="TelemetryOptions"/>); recording costs next to
/// nothing otherwise.
/// </summary>
public sealed class DashboardTelemetry : IDisposable
{
    public const string Name = "Apex.Coverage";

    private readonly Meter _meter;
    private readonly Counter<long> _runsStarted;
    private readonly Counter<long> _runsEnded;
    private readonly Histogram<double> _runSeconds;
    private readonly Counter<long> _uploads;
    private readonly Histogram<double> _uploadSeconds;
    private readonly Counter<long> _uploadedResults;
    private readonly Histogram<double> _reportSeconds;

    public DashboardTelemetry(IMeterFactory meters)
    {
        _meter = meters.Create(Name);
        _runsStarted = _meter.CreateCounter<long>("apex.runs.started", "{run}", "Runs that began executing on this node.");
        _runsEnded = _meter.CreateCounter<long>("apex.runs.ended", "{run}", "Runs that ended on this node, by status.");
        _runSeconds = _meter.CreateHistogram<double>("apex.run.duration", "s", "Wall time of an executed run, build included.");
        _uploads = _meter.CreateCounter<long>("apex.uploads", "{upload}", "CI result uploads, by outcome (created, duplicate, rejected).");
        _uploadSeconds = _meter.CreateHistogram<double>("apex.upload.duration", "s", "Time to read, parse and store one CI upload.");
        _uploadedResults = _meter.CreateCounter<long>("apex.upload.results", "{result}", "Results stored from CI uploads.");
        _reportSeconds = _meter.CreateHistogram<double>("apex.report.duration", "s", "Time to compute the coverage report from the store.");
    }

    public static ActivitySource Source { get; } = new(Name);

    public Activity? StartRun(long runId, string suite)
    {
        _runsStarted.Add(1, new KeyValuePair<string, object?>("apex.suite", suite));
        return Source.StartActivity("run")?.SetTag("apex.run.id", runId).SetTag("apex.suite", suite);
    }

    public void EndRun(Activity? activity, string suite, string status, TimeSpan elapsed)
    {
        var tags = new TagList { { "apex.suite", suite }, { "apex.run.status", status } };
        _runsEnded.Add(1, tags);
        _runSeconds.Record(elapsed.TotalSeconds, tags);
        activity?.SetTag("apex.run.status", status);
        activity?.Dispose();
    }

    public Activity? StartUpload() => Source.StartActivity("upload");

    public void EndUpload(Activity? activity, string outcome, int results, TimeSpan elapsed)
    {
        var tag = new KeyValuePair<string, object?>("apex.upload.outcome", outcome);
        _uploads.Add(1, tag);
        _uploadSeconds.Record(elapsed.TotalSeconds, tag);
        if (outcome == "created")
        {
            _uploadedResults.Add(results);
        }

        activity?.SetTag("apex.upload.outcome", outcome).SetTag("apex.upload.results", results);
        activity?.Dispose();
    }

    /// <summary>Computes the report inside a "report" activity and records how long it took.</summary>
    public async Task<T> MeasureReportAsync<T>(Func<Task<T>> compute)
    {
        using var activity = Source.StartActivity("coverage report");
        var started = Stopwatch.GetTimestamp();
        try
        {
            return await compute();
        }
        finally
        {
            _reportSeconds.Record(Stopwatch.GetElapsedTime(started).TotalSeconds);
        }
    }

    public void Dispose() => _meter.Dispose();
}
