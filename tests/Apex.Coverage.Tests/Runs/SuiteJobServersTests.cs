using Apex.Coverage.Tests.Fixtures;
using Apex.Coverage.Web.Results;
using Apex.Coverage.Web.Runs;
using Apex.Coverage.Web.Suites;
using Hangfire;
using Microsoft.Extensions.DependencyInjection;

namespace Apex.Coverage.Tests.Runs;

/// <summary>Each suite's runs have a worker of their own, and no worker waits for another node's run.</summary>
[Collection(RunnerCollection.Name)]
public sealed class SuiteJobServersTests(RunnerHost host)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private RunnerHostFactory Factory => host.Factory;

    [Fact]
    public void Servers_GiveEachSuiteQueueAWorkerOfItsOwn_AndSchedulesTheirOwnServer()
    {
        var servers = Factory.Services.GetRequiredService<JobStorage>().GetMonitoringApi().Servers();
        var suites = Factory.Services.GetRequiredService<SuiteCatalog>().Names;

        foreach (var queue in suites.Select(SuiteQueue.NameOf))
        {
            var server = Assert.Single(servers, s => s.Queues.Contains(queue));
            Assert.Equal([queue], server.Queues);
            Assert.Equal(1, server.WorkersCount);
        }

        var schedules = Assert.Single(servers, s => s.Queues.Contains(SuiteJobServers.ScheduleQueue));
        Assert.Equal([SuiteJobServers.ScheduleQueue], schedules.Queues);
    }

    [Fact]
    public async Task ExecuteAsync_ReturnsAtOnceAndRunsLater_WhenAnotherNodeHoldsTheSuiteLock()
    {
        var storage = Factory.Services.GetRequiredService<JobStorage>();
        var runId = await QueuedRunAsync();
        var scheduledBefore = storage.GetMonitoringApi().ScheduledCount();
        using (var otherNode = storage.GetConnection())
        using (otherNode.AcquireDistributedLock(RunJob.LockName(RunnerHostFactory.Suite), TimeSpan.FromSeconds(30)))
        {
            // It would wait for the lock for the length of a run before; now it must come back while the lock is held.
            await Factory.Services.GetRequiredService<RunJob>().ExecuteAsync(RunnerHostFactory.Suite, runId, Ct);

            Assert.Equal(RunStatus.Queued, (await Factory.WaitForAsync(runId, _ => true, TimeSpan.FromSeconds(5))).Status);
            Assert.Equal(scheduledBefore + 1, storage.GetMonitoringApi().ScheduledCount());
        }

        var ended = await Factory.WaitForEndAsync(runId);
        Assert.True(ended.Status is RunStatus.Passed or RunStatus.Failed, $"The rescheduled run ended {ended.Status}: {ended.Message}");
    }

    // A queued run whose job is not enqueued: only the job under test (and its retry) may take it.
    private async Task<long> QueuedRunAsync()
    {
        await using var db = Factory.Database();
        var run = new TestRun
        {
            SuiteName = RunnerHostFactory.Suite, Source = RunSource.Api, CreatedAt = DateTimeOffset.UtcNow,
            SelectionJson = new StoredSelection(new RunSelection(PlanItems: [3]), [3], null).ToJson(),
            TestCaseFilter = "PlanId=3",
        };
        db.TestRuns.Add(run);
        await db.SaveChangesAsync(Ct);
        return run.Id;
    }
}
