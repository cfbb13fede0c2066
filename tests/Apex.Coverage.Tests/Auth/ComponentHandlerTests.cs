using Apex.Coverage.Tests.Fixtures;
using Apex.Coverage.Web.Access;
using Apex.Coverage.Web.Audit;
using Apex.Coverage.Web.Components.Runs;
using Apex.Coverage.Web.Data;
using Apex.Coverage.Web.Plan;
using Apex.Coverage.Web.Results;
using Apex.Coverage.Web.Runs;
using Bunit;
using Bunit.TestDoubles;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using MudBlazor.Services;

namespace Apex.Coverage.Tests.Auth;

/// <summary>
/// The handlers check the role themselves, not only the markup: a runner demoted to viewer while
/// the page is open still has the button on screen, and clicking it must change nothing.
/// </summary>
public sealed class ComponentHandlerTests : DashboardComponentTest
{
    private BunitAuthorizationContext _user = null!;

    protected override void AddServices()
    {
        Services.AddMudServices();
        _user = this.SignInAs(DashboardRoles.Runner, Database, "rita@apex.test");
        Services.AddSingleton(Catalog);
        Services.AddSingleton<IDbContextFactory<CoverageDbContext>>(Database);
        Services.AddRunRequests(Database, Catalog);
    }

    [Fact]
    public async Task RunButton_StartsARunAndAuditsIt_WhenARunnerClicks()
    {
        var button = Render<RunButton>(p => p.Add(c => c.PlanItems, [7]));

        await button.Find("[data-testid=run-button]").ClickAsync(new());

        await using var db = Database.CreateDbContext();
        var run = await db.TestRuns.AsNoTracking().SingleAsync(Ct);
        var audit = await db.AuditEntries.AsNoTracking().SingleAsync(Ct);
        Assert.Equal(("rita@apex.test", AuditActions.RunStarted, $"run {run.Id}"), (audit.Actor, audit.Action, audit.Subject));
    }

    [Fact]
    public async Task RunButton_AuditsARerun_WhenItRunsAnEarlierRunAgain()
    {
        var button = Render<RunButton>(p => p.Add(c => c.PlanItems, [7]).Add(c => c.RerunOf, 41L));

        await button.Find("[data-testid=run-button]").ClickAsync(new());

        await using var db = Database.CreateDbContext();
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

        await using var db = Database.CreateDbContext();
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
