using System.Diagnostics;
using Apex.Coverage.Web.Results;
using Apex.Coverage.Web.Runs;
using Apex.Coverage.Web.VsTest;
using Microsoft.Extensions.DependencyInjection;

namespace Apex.Coverage.Tests.Runs;

/// <summary>vstest.console itself dying mid-run: the run ends clearly and the next run gets a fresh one.</summary>
[Collection(RunnerCollection.Name)]
public sealed class VsTestConsoleDeathTests(RunnerHost host)
{
    private RunnerHostFactory Factory => host.Factory;

    [Fact]
    public async Task KilledVsTestConsole_EndsRunAbortedAndNextRunPasses_WhenItDiesMidRun()
    {
        var id = await Factory.StartAsync(RunnerHostFactory.Hanging, new RunSelection(PlanItems: [4]));
        var active = Factory.Services.GetRequiredService<ActiveRuns>();
        await Factory.WaitForAsync(id, r => r.Status == RunStatus.Running
            && active.Find(id)?.Progress.RunningTests.Any(t => t.EndsWith("Hangs", StringComparison.Ordinal)) == true, TimeSpan.FromSeconds(90));

        // Other collections run their own vstest.console at the same time: pick the one whose tree holds the hanging test.
        var console = Assert.Single(ProcessTable.ChildAncestorsOf("APEX_FIXTURE_HANG=1", "Apex.Fixture.Suite", "vstest.console.dll"));
        Process.GetProcessById(console).Kill();
        var run = await Factory.WaitForEndAsync(id, seconds: 60);
        var next = await Factory.WaitForEndAsync(await Factory.StartAsync(RunnerHostFactory.Suite, new RunSelection(PlanItems: [3])));

        Assert.Equal(RunStatus.Aborted, run.Status);
        Assert.Empty(ProcessTable.Carrying("APEX_FIXTURE_HANG=1", "Apex.Fixture.Suite"));
        Assert.False(string.IsNullOrWhiteSpace(run.Message));
        Assert.Equal((RunStatus.Passed, 3), (next.Status, next.Total));
    }
}
