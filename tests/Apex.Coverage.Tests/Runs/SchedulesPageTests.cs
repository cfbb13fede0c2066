using Apex.Coverage.Tests.Fixtures;
using Apex.Coverage.Web.Components.Runs;
using Apex.Coverage.Web.Runs;
using Bunit;
using Hangfire;
using Hangfire.InMemory;
using Hangfire.Storage;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using MudBlazor;

namespace Apex.Coverage.Tests.Runs;

/// <summary>Adding and removing schedules on the page (issue 14, point 6), through the real ScheduleBook and Hangfire's recurring jobs.</summary>
public sealed class SchedulesPageTests : DashboardComponentTest
{
    private readonly InMemoryStorage _storage = new();
    private Bunit.TestDoubles.BunitAuthorizationContext _signedIn = null!;

    protected override void AddServices()
    {
        Services.AddLiveDashboard(Database, Catalog);
        var configured = new ScheduleOptions { ["nightly"] = new ScheduleDefinition { Cron = "0 2 * * *" } };
        var runs = new RunsOptions { ScheduleEditsPath = Path.Combine(Database.Folder, "schedules.json") };
        Services.AddSingleton(new ScheduleBook(Options.Create(configured), Options.Create(runs), new FixedEnvironment { ContentRootPath = Database.Folder },
            new RecurringJobManager(_storage), _storage));
        // Adding and removing schedules is an admin's (issue 15).
        _signedIn = this.SignInAs(Web.Access.DashboardRoles.Admin, Database);
    }

    protected override Task StopAsync()
    {
        _storage.Dispose();
        return Task.CompletedTask;
    }

    private RecurringJobDto? Job(string name) =>
        _storage.GetConnection().GetRecurringJobs().SingleOrDefault(j => j.Id == ScheduleBook.JobId(name));

    private static List<string> Names(IRenderedComponent<SchedulesPage> page) =>
        [.. page.FindAll("[data-testid=schedule-name]").Select(c => c.TextContent.Trim())];

    private static void Fill(IRenderedComponent<SchedulesPage> page, string testId, string value) =>
        page.Find($"input[data-testid={testId}]").Change(value);

    [Fact]
    public async Task Page_AddsAScheduleAndItsJob_WhenNameAndCronAreValid()
    {
        var page = Render<SchedulesPage>();
        page.WaitForAssertion(() => Assert.Equal(["nightly"], Names(page)));

        Fill(page, "schedule-add-name", "weekday-mornings");
        Fill(page, "schedule-add-cron", "0 6 * * 1-5");
        page.Find("button[data-testid=schedule-add-submit]").Click();

        page.WaitForAssertion(() => Assert.Equal(["nightly", "weekday-mornings (added here)"], Names(page)));
        Assert.Equal("0 6 * * 1-5", Job("weekday-mornings")?.Cron);
        await using var db = Database.CreateDbContext();
        Assert.Contains(await db.AuditEntries.ToListAsync(), e => e.Action == Web.Audit.AuditActions.ScheduleChanged && e.Subject == "weekday-mornings");
        Assert.Empty(page.FindAll("[data-testid=schedule-add-error]"));
    }

    [Fact]
    public void Page_ShowsTheReasonAndAddsNothing_WhenCronIsInvalid()
    {
        var page = Render<SchedulesPage>();

        Fill(page, "schedule-add-name", "sometimes");
        Fill(page, "schedule-add-cron", "every night");
        page.Find("button[data-testid=schedule-add-submit]").Click();

        page.WaitForAssertion(() => Assert.Contains("'every night' (UTC) is not a valid cron expression", page.Find("[data-testid=schedule-add-error]").TextContent, StringComparison.Ordinal));
        Assert.Equal(["nightly"], Names(page));
        Assert.Null(Job("sometimes"));
    }

    [Fact]
    public void Page_RefusesTheName_WhenAScheduleAlreadyHasIt()
    {
        var page = Render<SchedulesPage>();

        Fill(page, "schedule-add-name", "Nightly");
        page.Find("button[data-testid=schedule-add-submit]").Click();

        page.WaitForAssertion(() => Assert.Contains("already a schedule named 'Nightly'", page.Find("[data-testid=schedule-add-error]").TextContent, StringComparison.Ordinal));
    }

    [Fact]
    public async Task Page_SaysWhichPlanItems_WhenTheyAreNotNumbers()
    {
        var page = Render<SchedulesPage>();
        var scope = page.FindComponent<MudSelect<ScheduleScope>>();
        await page.InvokeAsync(() => scope.Instance.ValueChanged.InvokeAsync(ScheduleScope.PlanItems));

        Fill(page, "schedule-add-name", "some-items");
        Fill(page, "schedule-add-items", "3, seven");
        page.Find("button[data-testid=schedule-add-submit]").Click();

        page.WaitForAssertion(() => Assert.Contains("plan numbers separated by commas", page.Find("[data-testid=schedule-add-error]").TextContent, StringComparison.Ordinal));
        Assert.Null(Job("some-items"));
    }

    [Fact]
    public async Task Page_RemovesAConfiguredScheduleForGood_WhenRemoveIsConfirmed()
    {
        var page = Render<SchedulesPage>();
        page.WaitForAssertion(() => Assert.Equal(["nightly"], Names(page)));
        await Services.GetRequiredService<ScheduleBook>().ApplyAllAsync(CancellationToken.None);
        Assert.NotNull(Job("nightly"));

        page.Find("button[data-testid=schedule-remove]").Click();
        page.WaitForAssertion(() => page.Find("button[data-testid=schedule-remove-confirm]"));
        page.Find("button[data-testid=schedule-remove-confirm]").Click();

        page.WaitForAssertion(() => Assert.Empty(Names(page)));
        Assert.Null(Job("nightly"));
        // appsettings.json still lists it; the edit keeps it removed when the schedules are applied again at start.
        await Services.GetRequiredService<ScheduleBook>().ApplyAllAsync(CancellationToken.None);
        Assert.Null(Job("nightly"));
    }

    [Fact]
    public async Task Page_OffersNoAddAndNoRemove_WhenTheUserIsARunner()
    {
        _signedIn.SetRoles(Web.Access.DashboardRoles.Runner);

        var page = Render<SchedulesPage>();

        page.WaitForAssertion(() => Assert.Equal(["nightly"], Names(page)));
        Assert.Empty(page.FindAll("[data-testid=schedule-add]"));
        Assert.True(page.Find("button[data-testid=schedule-remove]").HasAttribute("disabled"));
    }

    [Fact]
    public async Task Add_RegistersTheJobInTheChosenTimeZone_WhenTheZoneExists()
    {
        var book = Services.GetRequiredService<ScheduleBook>();

        await book.AddAsync("berlin-mornings", new ScheduleDefinition { Cron = "0 6 * * *", TimeZone = "Europe/Berlin" }, CancellationToken.None);

        Assert.Equal("Europe/Berlin", Job("berlin-mornings")?.TimeZoneId);
        var listed = Assert.Single(await book.ListAsync(CancellationToken.None), s => s.Name == "berlin-mornings");
        Assert.True(listed.Definition.Added);
    }

    [Fact]
    public async Task Add_RefusesNamingTheZone_WhenTheZoneDoesNotExist()
    {
        var book = Services.GetRequiredService<ScheduleBook>();

        var error = await Assert.ThrowsAsync<ScheduleException>(() =>
            book.AddAsync("mars", new ScheduleDefinition { Cron = "0 6 * * *", TimeZone = "Mars/Olympus" }, CancellationToken.None));

        Assert.Contains("Mars/Olympus", error.Message, StringComparison.Ordinal);
        Assert.Null(Job("mars"));
    }
}
