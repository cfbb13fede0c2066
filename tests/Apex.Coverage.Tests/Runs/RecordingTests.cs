using Apex.Coverage.Web.Results;
using Apex.Coverage.Web.Runs;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using TestResult = Apex.Coverage.Web.Results.TestResult;

namespace Apex.Coverage.Tests.Runs;

/// <summary>
/// How results are committed and shown: in groups when they come fast (tests/fixtures/Apex.Fixture.Fast,
/// 4,160 tests of ~1 ms, also sent by the test host in groups), one by one when they come slowly, and
/// never shown before they are committed.
/// </summary>
public sealed class RecordingTests(RecordingTests.Host host) : IClassFixture<RecordingTests.Host>
{
    public const string Fast = "Fast";

    private RunnerHostFactory Factory => host.Factory;

    [Fact]
    public async Task FastSuite_CommitsInGroupsAndPushesEachResultAfterItsCommit_WhenResultsArriveFasterThanACommit()
    {
        var seen = new List<(string Key, int StoredAtPush)>();
        var handedOver = 0;
        var target = int.MaxValue;
        using var enough = new ManualResetEventSlim();
        long id = 0;
        using var started = new ManualResetEventSlim();
        using var watch = Factory.Services.GetRequiredService<RunNotifier>().Subscribe(null, update =>
        {
            // Updates published while the run is being asked for come on this test's own thread.
            if (!started.IsSet || update.RunId != Volatile.Read(ref id)) return;
            if (update.Kind == RunUpdateKind.Progress && Interlocked.Increment(ref handedOver) >= Volatile.Read(ref target)) enough.Set();
            if (update is not { Kind: RunUpdateKind.Result, Result: { } result }) return;
            if (seen.Count == 0)
            {
                // Hold the recorder on its first push until more results wait in its channel: the
                // next commit must take them all.
                Volatile.Write(ref target, Volatile.Read(ref handedOver) + 20);
                enough.Wait(TimeSpan.FromSeconds(60), TestContext.Current.CancellationToken);
            }

            using var db = Factory.Database();
            seen.Add((result.ResultKey, db.TestResults.Count(r => r.RunId == update.RunId)));
        });
        Volatile.Write(ref id, await Factory.StartAsync(Fast));
        started.Set();

        var run = await Factory.WaitForEndAsync(id, seconds: 300);

        Assert.Equal((RunStatus.Passed, 4160), (run.Status, run.Total));
        Assert.Equal(4160, seen.Select(s => s.Key).Distinct().Count());
        // Shown only once committed: when the n-th result is pushed, at least n are stored.
        Assert.All(seen.Select((s, n) => (s.StoredAtPush, Pushed: n + 1)), p => Assert.True(p.StoredAtPush >= p.Pushed, $"push {p.Pushed} saw {p.StoredAtPush} stored"));
        var commits = seen.Select(s => s.StoredAtPush).Distinct().Count();
        Assert.True(commits < 4160 / 2, $"{commits} commits for 4,160 results");
        // A run of more than Runs:GroupResultsFromTests tests has the host send results in groups
        // (one message per result and per test start would be over 8,000).
        Assert.True(Volatile.Read(ref handedOver) < 4160 / 2, $"{handedOver} messages from the test host for 4,160 results");
    }

    [Fact]
    public async Task SlowSuite_CommitsAndPushesEachResult_WhileTheNextTestStillRuns()
    {
        var pushed = new TaskCompletionSource<TestResult>(TaskCreationOptions.RunContinuationsAsynchronously);
        long id = 0;
        using var watch = Factory.Services.GetRequiredService<RunNotifier>().Subscribe(null, update =>
        {
            if (update is { Kind: RunUpdateKind.Result, Result: { } result } && update.RunId == Volatile.Read(ref id))
            {
                pushed.TrySetResult(result);
            }
        });
        Volatile.Write(ref id, await Factory.StartAsync(RunnerHostFactory.Hanging, new RunSelection(PlanItems: [1, 4])));

        var first = await pushed.Task.WaitAsync(TimeSpan.FromSeconds(120), TestContext.Current.CancellationToken);
        await using (var db = Factory.Database())
        {
            var run = await db.TestRuns.AsNoTracking().SingleAsync(r => r.Id == id, TestContext.Current.CancellationToken);
            Assert.Equal(RunStatus.Running, run.Status);
            Assert.True(run.Total >= 1);
            Assert.True(await db.TestResults.AnyAsync(r => r.RunId == id && r.ResultKey == first.ResultKey, TestContext.Current.CancellationToken));
        }

        await Factory.Requests.CancelAsync(id, TestContext.Current.CancellationToken);
        Assert.Equal(RunStatus.Canceled, (await Factory.WaitForEndAsync(id, seconds: 60)).Status);
    }

    /// <summary>The runner host with the fast fixture suite configured as well.</summary>
    public sealed class Host : IAsyncLifetime
    {
        public RunnerHostFactory Factory { get; private set; } = null!;

        public async ValueTask InitializeAsync()
        {
            var suite = await FixtureSuiteBuild.BuildAsync(FixtureSuiteBuild.SuiteProject);
            var fast = await FixtureSuiteBuild.BuildAsync(FixtureSuiteBuild.FastProject);
            Factory = new RunnerHostFactory(suite, configure: builder =>
            {
                builder.UseSetting($"Suites:{Fast}:Assembly", fast);
                builder.UseSetting($"Suites:{Fast}:BuildBeforeRun", "false");
            });
            _ = Factory.Server;
        }

        public async ValueTask DisposeAsync() => await Factory.DisposeAsync();
    }
}
