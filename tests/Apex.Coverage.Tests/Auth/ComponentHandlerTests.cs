using Apex.Coverage.Tests.Fixtures;
using Apex.Coverage.Web.Access;
using Apex.Coverage.Web.Audit;
using Apex.Coverage.Web.Components.Runs;
using Apex.Coverage.Web.Data;
using Apex.Coverage.Web.Plan;
using Apex.Coverage.Web.Results;
using Apex.Coverage.Web.Runs;
using Apex.Coverage.Web.Suites;
using Bunit;
using Bunit.TestDoubles;
using Hangfire;
using Hangfire.InMemory;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting.Internal;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using MudBlazor;
using MudBlazor.Services;

namespace Apex.Coverage.Tests.Auth;

/// <summary>
/// The handlers check the role themselves, not only the markup: a runner demoted to viewer while
/// the page is open still has the button on screen, and clicking it must change nothing.
/// </summary>
public sealed class ComponentHandlerTests : BunitContext, IAsyncLifetime
{
    private readonly PlanCatalog _catalog = new();
    private TestDatabase _database = null!;
    private BunitAuthorizationContext _user = null!;

    private static CancellationToken Ct => Xunit.TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync()
    {
        _database = await TestDatabase.CreateAsync();
        var parsed = PlanFixtures.Parse(PlanFixtures.RealPlan);
        _catalog.Publish(new PlanSnapshot(1, parsed.Document, parsed.Findings, DateTimeOffset.UnixEpoch, "plan"), attempt: null);
        Services.AddMudServices();
        _user = this.SignInAs(DashboardRoles.Runner, _database, "rita@apex.test");
        Services.AddSingleton(_catalog);
        Services.AddSingleton<IDbContextFactory<CoverageDbContext>>(_database);
        var environment = new HostingEnvironment { ContentRootPath = _database.Folder };
        var suites = new SuiteCatalog(Options.Create(new SuitesOptions { ["L2"] = new SuiteDefinition { Assembly = "suite.dll", BuildBeforeRun = false } }), environment);
        var notifier = new RunNotifier(NullLogger<RunNotifier>.Instance);
        var active = new ActiveRuns(TimeProvider.System);
        Services.AddSingleton(new RunRequests(_database, suites, new RunSelectionResolver(_catalog, _database),
            new BackgroundJobClient(new InMemoryStorage()), active,
            new RunRelay(Options.Create(new DataOptions()), Options.Create(new NodeOptions()), notifier, active, TimeProvider.System, NullLogger<RunRelay>.Instance),
            notifier, Options.Create(new RunsOptions()), TimeProvider.System));
        JSInterop.Mode = JSRuntimeMode.Loose;
        Render<MudPopoverProvider>();
        Render<MudSnackbarProvider>();
    }

    async ValueTask IAsyncDisposable.DisposeAsync()
    {
        await base.DisposeAsync();
        await _database.DisposeAsync();
    }

    [Fact]
    public async Task RunButton_StartsARunAndAuditsIt_WhenARunnerClicks()
    {
        var button = Render<RunButton>(p => p.Add(c => c.PlanItems, [7]));

        await button.Find("[data-testid=run-button]").ClickAsync(new());

        await using var db = _database.CreateDbContext();
        var run = await db.TestRuns.AsNoTracking().SingleAsync(Ct);
        var audit = await db.AuditEntries.AsNoTracking().SingleAsync(Ct);
        Assert.Equal(("rita@apex.test", AuditActions.RunStarted, $"run {run.Id}"), (audit.Actor, audit.Action, audit.Subject));
    }

    [Fact]
    public async Task RunButton_AuditsARerun_WhenItRunsAnEarlierRunAgain()
    {
        var button = Render<RunButton>(p => p.Add(c => c.PlanItems, [7]).Add(c => c.RerunOf, 41L));

        await button.Find("[data-testid=run-button]").ClickAsync(new());

        await using var db = _database.CreateDbContext();
        var run = await db.TestRuns.AsNoTracking().SingleAsync(Ct);
        var audit = await db.AuditEntries.AsNoTracking().SingleAsync(Ct);
        Assert.Equal(("rita@apex.test", AuditActions.RunRerun, $"run {run.Id}", "again as run 41 was"), (audit.Actor, audit.Action, audit.Subject, audit.Detail));
    }

    [Fact]
    public async Task RunButton_StartsNothing_WhenTheUserWasDemotedToViewerWhileThePageWasOpen()
    {
        var button = Render<RunButton>(p => p.Add(c => c.PlanItems, [7]));
        _user.SetRoles(DashboardRoles.Viewer);

        await button.Find("[data-testid=run-button]").ClickAsync(new());

        await using var db = _database.CreateDbContext();
        Assert.Equal(0, await db.TestRuns.CountAsync(Ct));
        Assert.Equal(0, await db.AuditEntries.CountAsync(Ct));
    }

    [Fact]
    public void RunButton_IsNotShown_ToAViewer()
    {
        _user.SetRoles(DashboardRoles.Viewer);

        var button = Render<RunButton>(p => p.Add(c => c.PlanItems, [7]));

        Assert.Empty(button.FindAll("[data-testid=run-button]"));
    }
}
