using Apex.Coverage.Web.Access;
using Apex.Coverage.Tests.Fixtures;
using Apex.Coverage.Web.Components.Runs;
using Apex.Coverage.Web.Results;
using Apex.Coverage.Web.Runs;
using Bunit;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using MudBlazor;
using TestOutcome = Apex.Coverage.Web.Results.TestOutcome;
using TestResult = Apex.Coverage.Web.Results.TestResult;

namespace Apex.Coverage.Tests.Runs;

/// <summary>The live run page: what it shows from the database and what it adds as updates are pushed.</summary>
public sealed class RunPageTests : DashboardComponentTest
{
    private RunNotifier Notifier => Services.GetRequiredService<RunNotifier>();

    protected override void AddServices()
    {
        Services.AddLiveDashboard(Database, Catalog);
        this.SignInAs(DashboardRoles.Runner, Database);
    }

    private async Task<long> SeedRunAsync(RunStatus status, params TestResult[] results)
    {
        await using var db = Database.CreateDbContext();
        var run = new TestRun { SuiteName = "L2", Status = status, CreatedAt = DateTimeOffset.UtcNow, StartedAt = DateTimeOffset.UtcNow };
        run.Results.AddRange(results);
        db.TestRuns.Add(run);
        await db.SaveChangesAsync(Ct);
        return run.Id;
    }

    private static TestResult Result(string name, TestOutcome outcome) =>
        new() { ResultKey = name, FullyQualifiedName = name, DisplayName = name, Outcome = outcome, RecordedAt = DateTimeOffset.UtcNow };

    [Fact]
    public async Task RunPage_AddsPushedResultOnceAndCounts_WhenResultsArriveLive()
    {
        var id = await SeedRunAsync(RunStatus.Running, Result("A.Stored", TestOutcome.Passed));
        var page = Render<RunPage>(p => p.Add(c => c.Id, id));

        var pushed = Result("A.Pushed", TestOutcome.Failed);
        Notifier.Publish(new RunUpdate(id, RunUpdateKind.Result, pushed));
        Notifier.Publish(new RunUpdate(id, RunUpdateKind.Result, pushed));

        page.WaitForAssertion(() => Assert.Equal(2, page.FindAll("[data-testid=run-results] tbody tr").Count));
        Assert.Contains("1 passed", page.Find("[data-testid=run-counts]").TextContent, StringComparison.Ordinal);
        Assert.Contains("1 failed", page.Find("[data-testid=run-counts]").TextContent, StringComparison.Ordinal);
        Assert.NotNull(page.Find("[data-testid=run-cancel]"));
    }

    [Fact]
    public async Task RunPage_ShowsEndStateAndMessage_WhenStatusChangesToAborted()
    {
        var id = await SeedRunAsync(RunStatus.Running);
        var page = Render<RunPage>(p => p.Add(c => c.Id, id));

        await using (var db = Database.CreateDbContext())
        {
            await db.TestRuns.Where(r => r.Id == id).ExecuteUpdateAsync(s => s
                .SetProperty(r => r.Status, RunStatus.Aborted).SetProperty(r => r.Message, "The test host crashed while running A.Crash."), Ct);
        }

        Notifier.Publish(new RunUpdate(id, RunUpdateKind.Status));

        page.WaitForAssertion(() => Assert.Equal("Aborted", page.Find("[data-testid=run-status]").TextContent.Trim()));
        Assert.Contains("A.Crash", page.Find("[data-testid=run-message]").TextContent, StringComparison.Ordinal);
        Assert.Empty(page.FindAll("[data-testid=run-cancel]"));
    }

    [Fact]
    public async Task RunPage_ShowsCancelingUntilTheRunEnds_WhenCancelIsClicked()
    {
        var id = await SeedRunAsync(RunStatus.Running, Result("A.Stored", TestOutcome.Passed));
        var control = Services.GetRequiredService<ActiveRuns>().Start(id, TimeSpan.FromMinutes(5), Ct);
        var page = Render<RunPage>(p => p.Add(c => c.Id, id));

        await page.Find("[data-testid=run-cancel]").ClickAsync(new());

        page.WaitForAssertion(() => Assert.Equal("Canceling", page.Find("[data-testid=run-status]").TextContent.Trim()));
        Assert.Equal(StopReason.Canceled, control.Reason);
        Assert.True(page.Find("[data-testid=run-cancel]").HasAttribute("disabled"));
        await using (var audit = Database.CreateDbContext())
        {
            var canceled = await audit.AuditEntries.AsNoTracking().SingleAsync(Ct);
            Assert.Equal(("dana", Web.Audit.AuditActions.RunCanceled, $"run {id}"), (canceled.Actor, canceled.Action, canceled.Subject));
        }

        var reopened = Render<RunPage>(p => p.Add(c => c.Id, id));
        Assert.Equal("Canceling", reopened.Find("[data-testid=run-status]").TextContent.Trim());

        await using (var db = Database.CreateDbContext())
        {
            await db.TestRuns.Where(r => r.Id == id).ExecuteUpdateAsync(s => s.SetProperty(r => r.Status, RunStatus.Canceled), Ct);
        }

        Notifier.Publish(new RunUpdate(id, RunUpdateKind.Status));
        page.WaitForAssertion(() => Assert.Equal("Canceled", page.Find("[data-testid=run-status]").TextContent.Trim()));
    }

    [Fact]
    public async Task RunPage_ShowsNoFailedCountAndLinksTheCiBuild_WhenCiRunPassed()
    {
        await using (var db = Database.CreateDbContext())
        {
            var run = new TestRun { SuiteName = "L2", Status = RunStatus.Passed, Source = RunSource.Ci, Commit = "abcdef0123456789", Branch = "main", BuildUrl = "https://ci.example/b/9", CreatedAt = DateTimeOffset.UtcNow, FinishedAt = DateTimeOffset.UtcNow };
            run.Results.Add(Result("A.Ok", TestOutcome.Passed));
            db.TestRuns.Add(run);
            await db.SaveChangesAsync(Ct);
        }

        var page = Render<RunPage>(p => p.Add(c => c.Id, 1));

        Assert.Empty(page.FindAll("[data-testid=run-count-failed]"));
        Assert.Equal("1 passed", page.Find("[data-testid=run-count-passed]").TextContent.Trim());
        Assert.Equal("https://ci.example/b/9", page.Find("[data-testid=run-build-link]").GetAttribute("href"));
        Assert.Equal("abcdef0123", page.Find("[data-testid=run-commit]").TextContent.Trim());
    }

    [Fact]
    public async Task RunPage_StopsListening_WhenDisposed()
    {
        var id = await SeedRunAsync(RunStatus.Running);
        var page = Render<RunPage>(p => p.Add(c => c.Id, id));
        var calls = 0;
        using var probe = Notifier.Subscribe(id, _ => calls++);

        page.Instance.Dispose();
        Notifier.Publish(new RunUpdate(id, RunUpdateKind.Result, Result("A.Late", TestOutcome.Passed)));

        Assert.Equal(1, calls);
        Assert.DoesNotContain("A.Late", page.Markup, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RunButton_QueuesTheSelectionAndOpensItsPage_WhenClicked()
    {
        var button = Render<RunButton>(p => p.Add(c => c.PlanItems, [7]).Add(c => c.Label, "Run item 7"));

        await button.Find("[data-testid=run-button]").ClickAsync(new());

        await using var db = Database.CreateDbContext();
        var run = await db.TestRuns.AsNoTracking().SingleAsync(Ct);
        Assert.Equal((RunStatus.Queued, RunSource.Dashboard, "PlanId=7"), (run.Status, run.Source, run.TestCaseFilter));
        Assert.EndsWith($"/runs/{run.Id}", Services.GetRequiredService<Microsoft.AspNetCore.Components.NavigationManager>().Uri, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RunButton_ShowsWhyAndQueuesNothing_WhenSuiteIsNotConfigured()
    {
        var button = Render<RunButton>(p => p.Add(c => c.Suite, "Nope"));

        await button.Find("[data-testid=run-button]").ClickAsync(new());

        var snackbar = Services.GetRequiredService<ISnackbar>();
        Assert.Contains(snackbar.ShownSnackbars, s => s.Message != null && s.Message.Contains("No suite is configured under the name 'Nope'", StringComparison.Ordinal));
        await using var db = Database.CreateDbContext();
        Assert.Equal(0, await db.TestRuns.CountAsync(Ct));
    }
}
