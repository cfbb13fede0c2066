using Apex.Coverage.Tests.Fixtures;
using Apex.Coverage.Web.Access;
using Apex.Coverage.Web.Alerts;
using Apex.Coverage.Web.ApiTokens;
using Apex.Coverage.Web.Audit;
using Apex.Coverage.Web.Components.Alerts;
using Apex.Coverage.Web.Components.Audit;
using Apex.Coverage.Web.Components.Runs;
using Apex.Coverage.Web.Components.Selection;
using Apex.Coverage.Web.Components.Settings;
using Apex.Coverage.Web.Data;
using Apex.Coverage.Web.Results;
using Apex.Coverage.Web.Runs;
using Apex.Coverage.Web.Selection;
using Bunit;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using static Apex.Coverage.Tests.Analytics.History;

namespace Apex.Coverage.Tests.Wording;

/// <summary>
/// Issue 14 point 5, page by page: the runs, run, settings (tokens, alerts, users, audit) and selection
/// pages show statuses, sources, scopes, roles, actions and strategies in words, never the codes the
/// API keeps (those stay in data- attributes) and never a setting's key (<see cref="PlainWords"/>).
/// </summary>
public sealed class ManagerWordsTests : DashboardComponentTest
{
    private const string Login = "Apex.Integration.Auth.LoginTests.Login_Succeeds";
    private const string Lockout = "Apex.Integration.Auth.LoginTests.Lockout_Engages";

    protected override void AddServices()
    {
        Services.AddLiveDashboard(Database, Catalog);
        Services.AddSingleton(Options.Create(new RunsOptions { DefaultSuite = "l2" }));
        Services.AddSingleton(Options.Create(new SelectionOptions()));
        Services.AddSingleton<SelectionService>();
        Services.AddSingleton<ReplayService>();
        Services.AddSingleton(new ApiTokenStore(Database, TimeProvider.System));
        Services.AddSingleton(new WebhookBook(Database, TimeProvider.System));
        AddAccounts();
        this.SignInAs(DashboardRoles.Admin, Database);
        // The settings pages say whether their circuit is up (data-interactive).
        Renderer.SetRendererInfo(new Microsoft.AspNetCore.Components.RendererInfo("Server", isInteractive: true));
    }

    // The users page goes through Identity, as the app does (AccessHostingExtensions.AddAccessStore).
    private void AddAccounts()
    {
        Services.AddScoped(_ => Database.CreateDbContext());
        Services.AddScoped<UserAccounts>();
        Services.AddIdentityCore<DashboardUser>().AddRoles<IdentityRole>().AddEntityFrameworkStores<CoverageDbContext>();
    }

    private async Task<long> SeedRunAsync(RunStatus status, RunSource source)
    {
        await using var db = Database.CreateDbContext();
        var run = new TestRun { SuiteName = "l2", Status = status, Source = source, CreatedAt = DateTimeOffset.UtcNow, StartedAt = DateTimeOffset.UtcNow };
        db.TestRuns.Add(run);
        await db.SaveChangesAsync(Ct);
        return run.Id;
    }

    [Fact]
    public async Task RunsPage_ShowsEveryStatusAndSourceInWords_WhenRunsOfEachKindExist()
    {
        var sources = Enum.GetValues<RunSource>();
        var statuses = Enum.GetValues<RunStatus>();
        for (var i = 0; i < statuses.Length; i++)
        {
            await SeedRunAsync(statuses[i], sources[i % sources.Length]);
        }

        var page = Render<RunsPage>();

        page.WaitForAssertion(() => Assert.Equal(statuses.Length, page.FindAll("[data-testid=runs-status]").Count));
        var chips = page.FindAll("[data-testid=runs-status]").ToDictionary(c => c.GetAttribute("data-status")!, c => c.TextContent.Trim());
        Assert.Equal(["Waiting", "Building", "Running", "Passed", "Failed", "Canceled", "Aborted", "Interrupted"],
            statuses.Select(s => chips[RunJson.Lower(s)]));
        var shown = PlainWords.ShownText(page);
        Assert.Contains("CI upload", shown, StringComparison.Ordinal);
        Assert.Contains("Schedule", shown, StringComparison.Ordinal);
        Assert.DoesNotContain("\nci\n", shown, StringComparison.Ordinal);
        PlainWords.AssertPlain(page);
    }

    [Fact]
    public async Task RunPage_ShowsItsStatusInWordsAndKeepsTheCodeInDataStatus_ForEveryStatus()
    {
        foreach (var status in Enum.GetValues<RunStatus>())
        {
            var id = await SeedRunAsync(status, RunSource.Dashboard);

            var page = Render<RunPage>(p => p.Add(c => c.Id, id));

            var chip = page.WaitForElement("[data-testid=run-status]");
            Assert.Equal((RunJson.Lower(status), RunFormat.StatusText(status)), (chip.GetAttribute("data-status"), chip.TextContent.Trim()));
            PlainWords.AssertPlain(page);
        }
    }

    [Fact]
    public async Task RunsRunAndAuditPages_WriteOneInstantAndOneDurationAlike_UnderAnotherCulture()
    {
        // 09:07:42 UTC given at +02:00; the run took 184 s. Pages render as on a server set to German.
        var instant = new DateTimeOffset(2026, 11, 26, 11, 7, 42, TimeSpan.FromHours(2));
        var run = new TestRun { SuiteName = "l2", Status = RunStatus.Passed, CreatedAt = instant, StartedAt = instant, FinishedAt = instant.AddSeconds(184) };
        await using (var db = Database.CreateDbContext())
        {
            db.TestRuns.Add(run);
            db.AuditEntries.Add(new AuditEntry { At = instant, Actor = "dana@apex.test", ActorKind = ActorKinds.User, Action = AuditActions.RunStarted });
            await db.SaveChangesAsync(Ct);
        }

        using var culture = new CultureScope("de-DE");
        var runs = Render<RunsPage>();
        var runPage = Render<RunPage>(p => p.Add(c => c.Id, run.Id));
        var audit = Render<AuditTrailPage>();

        const string Moment = "26 Nov 2026, 09:07 UTC";
        runs.WaitForAssertion(() => Assert.Equal((Moment, "3 min 4 s"), (Text(runs, "runs-started"), Text(runs, "runs-took"))));
        runPage.WaitForAssertion(() => Assert.Equal((Moment, "3 min 4 s"), (Text(runPage, "run-requested"), Text(runPage, "run-time"))));
        audit.WaitForAssertion(() => Assert.Equal(Moment, Text(audit, "audit-when")));
    }

    private static string Text<T>(IRenderedComponent<T> page, string testId)
        where T : Microsoft.AspNetCore.Components.IComponent =>
        page.Find($"[data-testid={testId}]").TextContent.Trim();

    [Fact]
    public async Task AuditTrailPage_ShowsEveryActionAndActorInWords_WhenEachWasRecorded()
    {
        var audit = Services.GetRequiredService<AuditTrail>();
        var actions = typeof(AuditActions).GetFields().Select(f => (string)f.GetValue(null)!).ToList();
        foreach (var action in actions)
        {
            await audit.RecordAsync(AuditActor.User("dana@apex.test"), action, "run 7", null, Ct);
        }

        await audit.RecordAsync(AuditActor.Token("ci"), AuditActions.RunStarted, "run 8", null, Ct);
        await audit.RecordAsync(AuditActor.Schedule, AuditActions.ScheduleTriggered, "nightly", null, Ct);

        var page = Render<AuditTrailPage>();

        page.WaitForAssertion(() => Assert.Equal(actions.Count + 2, page.FindAll("[data-testid=audit-row]").Count));
        foreach (var row in page.FindAll("[data-testid=audit-row]"))
        {
            Assert.Equal(SettingsWords.Action(row.GetAttribute("data-action")!), row.QuerySelector("[data-testid=audit-action-words]")!.TextContent.Trim());
            Assert.NotEqual(row.GetAttribute("data-action"), row.QuerySelector("[data-testid=audit-action-words]")!.TextContent.Trim());
        }

        Assert.Contains("(API token)", page.Markup, StringComparison.Ordinal);
        Assert.Equal($"{actions.Count + 2} entries", page.Find("[data-testid=audit-total]").TextContent.Trim());
        PlainWords.AssertPlain(page);
    }

    [Fact]
    public async Task UsersPage_ShowsRolesInWords_WhenUsersOfEachRoleExist()
    {
        await using (var scope = Services.CreateAsyncScope())
        {
            var accounts = scope.ServiceProvider.GetRequiredService<UserAccounts>();
            foreach (var role in DashboardRoles.All)
            {
                await accounts.CreateAsync($"{role}@apex.test", "Correct-Horse-7-Battery", role);
            }
        }

        var page = Render<UsersPage>();

        page.WaitForAssertion(() => Assert.Equal(3, page.FindAll("[data-testid=user-row]").Count));
        var roles = page.FindAll("[data-testid=user-row-role]").ToDictionary(c => c.GetAttribute("data-role")!, c => c.TextContent.Trim());
        Assert.Equal(["Viewer", "Runner", "Admin"], DashboardRoles.All.Select(r => roles[r]));
        Assert.Equal("Make admin", page.Find("[data-email='runner@apex.test'] [data-testid=user-make-admin]").TextContent.Trim());
        PlainWords.AssertPlain(page);
    }

    [Fact]
    public async Task AlertsPage_ShowsFormatsAndDeliveryStatesInWords_WhenAlertsWereSent()
    {
        var book = Services.GetRequiredService<WebhookBook>();
        var (slack, _) = await book.AddAsync("ops", "https://hooks.example/ops", "slack", null, Ct);
        await book.AddAsync("tools", "https://hooks.example/tools", "json", null, Ct);
        await using (var db = Database.CreateDbContext())
        {
            foreach (var status in Enum.GetValues<DeliveryStatus>())
            {
                db.AlertDeliveries.Add(new AlertDelivery
                {
                    WebhookId = slack.Id, AlertKey = $"item-failing:7@{status}", Kind = "item-failing", Title = "Item 7 is failing", Body = "{}",
                    Status = status, Attempts = 1, LastStatusCode = status == DeliveryStatus.Failed ? 500 : null, CreatedAt = DateTimeOffset.UtcNow,
                });
            }

            await db.SaveChangesAsync(Ct);
        }

        var page = Render<AlertsPage>();

        page.WaitForAssertion(() => Assert.Equal(3, page.FindAll("[data-testid=delivery-status]").Count));
        var states = page.FindAll("[data-testid=delivery-status]").ToDictionary(c => c.GetAttribute("data-status")!, c => c.TextContent.Trim());
        Assert.Equal(("Sending", "Delivered", "Failed"), (states["pending"], states["delivered"], states["failed"]));
        Assert.Equal(["JSON", "Slack"], page.FindAll("[data-testid=webhook-format-cell]").Select(c => c.TextContent.Trim()).Order());
        Assert.Contains("HTTP 500", page.Find("[data-testid=deliveries-table]").TextContent, StringComparison.Ordinal);
        PlainWords.AssertPlain(page);
    }

    [Fact]
    public async Task TokensPage_SaysWhatEachTokenMayDoInWords_AndKeepsTheScopesForEngineers()
    {
        var store = Services.GetRequiredService<ApiTokenStore>();
        await store.CreateAsync(new ApiTokenRequest("ci", [ApiTokenScopes.ResultsWrite, ApiTokenScopes.RunsWrite]), Ct);

        var page = Render<ApiTokensPage>();

        var scopes = page.WaitForElement("[data-testid=token-scopes]");
        Assert.Equal(("Upload CI results, Start and cancel runs", "results:write runs:write"), (scopes.TextContent.Trim(), scopes.GetAttribute("data-scopes")));
        Assert.Equal(("Never", "Active"), (page.Find("[data-testid=token-last-used]").TextContent.Trim(), page.Find("[data-testid=token-state]").TextContent.Trim()));
        Assert.Contains(page.FindAll("[data-testid=tokens-for-engineers] code"), c => c.TextContent == ApiTokenScopes.ResultsWrite);
        PlainWords.AssertPlain(page);
    }

    [Fact]
    public async Task SelectionPages_SayTheBudgetAndEachStrategyInWords_OverStoredRuns()
    {
        await DiscoverAsync(Database, Login, "1");
        await DiscoverAsync(Database, Lockout, "2");
        await RunAsync(Database, "c1", (Login, P), (Lockout, F));
        await RunAsync(Database, "c2", (Login, P), (Lockout, P));
        await RunAsync(Database, "c3", (Login, F), (Lockout, P));

        var selection = Render<SelectionPage>();
        var replay = Render<ReplayPage>();

        selection.WaitForAssertion(() => Assert.Contains("of 5 min", selection.Find("[data-testid=selection-summary]").TextContent, StringComparison.Ordinal));
        Assert.All(selection.FindAll("[data-testid=selection-runs]"), c => Assert.Contains(c.TextContent.Trim(), new[] { "Yes", "No" }));
        PlainWords.AssertPlain(selection);
        replay.WaitForAssertion(() => replay.Find("[data-testid=replay-table]"));
        Assert.Contains("By MRR at risk per second", replay.Find("[data-testid=replay-apfd]").TextContent, StringComparison.Ordinal);
        Assert.All(replay.FindAll("[data-strategy]"), c => Assert.NotEqual(c.GetAttribute("data-strategy"), c.TextContent.Trim()));
        PlainWords.AssertPlain(replay);
    }
}
