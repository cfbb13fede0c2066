using System.Diagnostics;
using System.Threading.Channels;
using Apex.Coverage.Web.Data;
using Apex.Coverage.Web.Results;
using Apex.Coverage.Web.Suites;
using Apex.Coverage.Web.VsTest;
using Microsoft.EntityFrameworkCore;
using Microsoft.VisualStudio.TestPlatform.ObjectModel;
using Microsoft.VisualStudio.TestPlatform.ObjectModel.Logging;
using VsTestOutcome = Microsoft.VisualStudio.TestPlatform.ObjectModel.TestOutcome;
using VsTestResult = Microsoft.VisualStudio.TestPlatform.ObjectModel.TestResult;
using TestResult = Apex.Coverage.Web.Results.TestResult;
using TestOutcome = Apex.Coverage.Web.Results.TestOutcome;

namespace Apex.Coverage.Web.Runs;

/// <summary>The recorder's account of a run once every result is stored.</summary>
public sealed record RecordedRun(int Total, int Passed, int Failed, int Skipped, IReadOnlyList<string> Unfinished,
    IReadOnlyList<string> Missing, IReadOnlyList<string> Errors, TimeSpan PersistAndPush)
{
    public static RecordedRun Empty { get; } = new(0, 0, 0, 0, [], [], [], TimeSpan.Zero);

    /// <summary>How many transactions stored the results (fewer than results when they came in groups).</summary>
    public int Commits { get; init; }
}

/// <summary>
/// Stores the results of one run as they arrive (whatever is waiting, together with the run's
/// counts, in one transaction) and then pushes each to the run's watchers. The translation layer's thread only hands
/// results over; a single consumer writes, so the counts kept here are the run's counts. It also
/// tracks the tests now running: one that started and never finished is what a crash took down.
/// </summary>
public sealed class RunRecorder : ITestRunObserver
{
    private readonly Channel<VsTestResult> _results = Channel.CreateUnbounded<VsTestResult>(new UnboundedChannelOptions { SingleReader = true });
    private readonly Dictionary<Guid, TestCase> _running = [];
    private readonly HashSet<string> _keys = new(StringComparer.Ordinal);
    private readonly HashSet<Guid> _reported = [];
    private readonly List<string> _errors = [];
    private readonly TestRun _counts;
    private readonly IDbContextFactory<CoverageDbContext> _databases;
    private readonly RunNotifier _notifier;
    private readonly RunControl _control;
    private readonly TimeProvider _time;
    private readonly Task _consumer;
    private long _persistTicks;
    private int _commits;
    private long _lastCommit;
    private volatile bool _completing;

    /// <summary>Bounds one transaction, so a burst after a stall does not become one huge commit.</summary>
    private const int MaxBatch = 1_000;

    /// <summary>
    /// The least time between two commits: a result that lands sooner after a commit waits for the
    /// rest of it (and for whatever else lands meanwhile), one that lands later is committed at once.
    /// </summary>
    public static readonly TimeSpan CommitInterval = TimeSpan.FromMilliseconds(100);

    public RunRecorder(long runId, string suite, string? commit, IDbContextFactory<CoverageDbContext> databases, RunNotifier notifier, RunControl control, TimeProvider time)
    {
        _counts = new TestRun { Id = runId, SuiteName = suite, Commit = commit };
        (_databases, _notifier, _control, _time) = (databases, notifier, control, time);
        _consumer = Task.Run(ConsumeAsync);
    }

    public void OnProgress(IEnumerable<VsTestResult> results, IEnumerable<TestCase>? activeTests)
    {
        lock (_running)
        {
            if (activeTests is not null)
            {
                _running.Clear();
                foreach (var test in activeTests) _running[test.Id] = test;
            }

            foreach (var result in results)
            {
                _running.Remove(result.TestCase.Id);
                _reported.Add(result.TestCase.Id);
                _results.Writer.TryWrite(result);
            }

            var names = _running.Values.Select(t => t.DisplayName).ToList();
            _control.Update(p => p with { RunningTests = names });
        }

        _notifier.Publish(new RunUpdate(_counts.Id, RunUpdateKind.Progress));
    }

    public void OnLog(TestMessageLevel level, string message)
    {
        if (level == TestMessageLevel.Error)
        {
            lock (_errors) _errors.Add(message);
        }
    }

    /// <summary>
    /// Records the tests a crash left unfinished as failed (when <paramref name="unfinishedMessage"/>
    /// is given), waits until every result is stored, and names the expected tests that never reported.
    /// </summary>
    public async Task<RecordedRun> CompleteAsync(string? unfinishedMessage, IEnumerable<DiscoveredCase> expected)
    {
        List<TestCase> unfinished;
        List<string> missing;
        lock (_running)
        {
            unfinished = [.. _running.Values];
            missing = [.. expected.Where(c => !_reported.Contains(c.Id) && !_running.ContainsKey(c.Id)).Select(c => c.DisplayName)];
            _running.Clear();
            if (unfinishedMessage is not null)
            {
                foreach (var test in unfinished) _results.Writer.TryWrite(Unfinished(test, unfinishedMessage));
            }

            _completing = true;
            _results.Writer.TryComplete();
        }

        await _consumer;
        lock (_errors)
        {
            return new RecordedRun(_counts.Total, _counts.Passed, _counts.Failed, _counts.Skipped,
                [.. unfinished.Select(t => t.DisplayName)], missing, [.. _errors], TimeSpan.FromTicks(_persistTicks)) { Commits = _commits };
        }
    }

    private static VsTestResult Unfinished(TestCase test, string message) =>
        new(test) { Outcome = VsTestOutcome.Failed, ErrorMessage = message };

    // Everything waiting in the channel goes into one transaction: a suite of fast tests commits in
    // groups (one SaveChanges per result cost 2-3 ms and made a run of 4,000 fast tests 1.7x as
    // long as `dotnet test`), at most one commit per CommitInterval (ADR 0063: ~950 commits of a
    // few results each still cost the dashboard seconds of CPU per run); a slow one still commits
    // each result as it arrives. Watchers hear of a result only once it is committed, one update per result.
    private async Task ConsumeAsync()
    {
        var batch = new List<TestResult>(MaxBatch);
        while (await _results.Reader.WaitToReadAsync())
        {
            await UntilCommitIntervalPassedAsync();
            var started = Stopwatch.GetTimestamp();
            while (batch.Count < MaxBatch && _results.Reader.TryRead(out var result))
            {
                batch.Add(ToEntity(result));
            }

            foreach (var entity in batch) Count(entity.Outcome);
            await SaveAsync(batch);
            _commits++;
            _lastCommit = _time.GetTimestamp();
            foreach (var entity in batch) _notifier.Publish(new RunUpdate(_counts.Id, RunUpdateKind.Result, entity));
            batch.Clear();
            _persistTicks += Stopwatch.GetElapsedTime(started).Ticks;
        }
    }

    private async Task UntilCommitIntervalPassedAsync()
    {
        var since = _time.GetElapsedTime(_lastCommit);
        if (_commits > 0 && !_completing && since < CommitInterval)
        {
            await Task.Delay(CommitInterval - since, _time);
        }
    }

    private async Task SaveAsync(List<TestResult> entities)
    {
        await using var db = await _databases.CreateDbContextAsync();
        var run = new TestRun { Id = _counts.Id, SuiteName = string.Empty };
        db.TestRuns.Attach(run);
        (run.Total, run.Passed, run.Failed, run.Skipped) = (_counts.Total, _counts.Passed, _counts.Failed, _counts.Skipped);
        db.TestResults.AddRange(entities);
        await db.SaveChangesAsync();
    }

    private void Count(TestOutcome outcome)
    {
        _counts.Total++;
        switch (outcome)
        {
            case TestOutcome.Passed: _counts.Passed++; break;
            case TestOutcome.Failed: _counts.Failed++; break;
            case TestOutcome.Skipped: _counts.Skipped++; break;
        }
    }

    private TestResult ToEntity(VsTestResult result) => new()
    {
        RunId = _counts.Id,
        SuiteName = _counts.SuiteName,
        ResultKey = UniqueKey(result),
        FullyQualifiedName = result.TestCase.FullyQualifiedName,
        DisplayName = result.DisplayName ?? result.TestCase.DisplayName,
        Outcome = OutcomeOf(result.Outcome),
        DurationSeconds = result.Duration.TotalSeconds,
        ErrorMessage = result.ErrorMessage,
        StackTrace = result.ErrorStackTrace,
        Output = result.Messages.Count == 0 ? null : string.Join(Environment.NewLine, result.Messages.Select(m => m.Text)),
        StartedAt = result.StartTime == default ? null : result.StartTime,
        FinishedAt = result.EndTime == default ? null : result.EndTime,
        Commit = _counts.Commit,
        RecordedAt = _time.GetUtcNow(),
    };

    // Theory rows share a test name; the test case id with the row's display name tells them apart.
    private string UniqueKey(VsTestResult result)
    {
        var key = $"{result.TestCase.Id:N}|{result.DisplayName ?? result.TestCase.DisplayName}";
        key = key.Length > 980 ? key[..980] : key;
        var unique = key;
        for (var n = 2; !_keys.Add(unique); n++) unique = $"{key}#{n}";
        return unique;
    }

    private static TestOutcome OutcomeOf(VsTestOutcome outcome) => outcome switch
    {
        VsTestOutcome.Passed => TestOutcome.Passed,
        VsTestOutcome.Failed => TestOutcome.Failed,
        VsTestOutcome.Skipped => TestOutcome.Skipped,
        _ => TestOutcome.NotFound,
    };
}
