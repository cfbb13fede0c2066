using System.Net.Http.Headers;
using System.Text;
using Apex.Coverage.Web.Access;
using Apex.Coverage.Web.ApiTokens;
using Apex.Coverage.Web.Data;
using Apex.Coverage.Web.Mutation;
using Apex.Coverage.Web.Results;
using Apex.Coverage.Web.Runs;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;

namespace Apex.Coverage.E2E;

/// <summary>
/// Issue 14 point 7 for every page: each page, with data behind it (a whole-suite run of the
/// fixture suite with a failure, a CI upload that contradicts discovery so the mapping conflict
/// shows, a mutation run with a survivor), at 1440 and 1024 px in light and dark, passes axe-core
/// with no serious or critical violation; screenshots go to TestResults/page-*.png.
/// </summary>
public sealed class EveryPageBrowserTests(DashboardServer server, BrowserSession browser)
    : BrowserTestBase(server, browser), IClassFixture<DashboardServer>, IClassFixture<BrowserSession>
{
    private const string FailingTest = "Apex.Fixture.Suite.FailingTests.Fails";
    private static readonly SemaphoreSlim Gate = new(1, 1);
    private static Seeded? _seeded;

    public static TheoryData<string, string> Pages => new()
    {
        { "overview", "" },
        { "runs", "runs" },
        { "run", "runs/{run}" },
        { "schedules", "runs/schedules" },
        { "failures", "coverage/failures" },
        { "flaky", "coverage/flaky" },
        { "slowest", "coverage/slowest" },
        { "unmapped", "coverage/tests/unmapped" },
        { "category", "coverage/categories/authentication-authorization" },
        { "item-coverage", "coverage/items/1" },
        { "test", $"coverage/tests?name={Uri.EscapeDataString(FailingTest)}&suite={DashboardServer.Suite}" },
        { "run-code-coverage", "coverage/runs/{run}" },
        { "plan", "plan" },
        { "plan-item", "plan/items/2" },
        { "plan-history", "plan/history" },
        { "selection", "selection" },
        { "replay", "selection/replay" },
        { "mutation-run", "mutation/runs/{mutation}" },
        { "source", "source?path=src%2FApex.Platform%2FAuth%2FAuthEndpoints.cs&line=42&mutationRun={mutation}#L42" },
        { "settings", "settings" },
        { "alerts", "settings/alerts" },
        { "users", "settings/users" },
        { "audit", "settings/audit" },
        { "not-found", "no/such/page" },
    };

    [Theory]
    [MemberData(nameof(Pages))]
    public async Task Page_HasNoSeriousAxeViolation_InLightAndDarkAt1440And1024(string name, string path)
    {
        var address = (await SeedAsync()).Resolve(path);
        foreach (var scheme in new[] { ColorScheme.Light, ColorScheme.Dark })
        {
            // As an admin: every page opens (settings and alerts are admin-only) and every control shows.
            var page = await OpenAsync(address, scheme: scheme, role: DashboardRoles.Admin);
            await SettledAsync(page);
            await Assertions.Expect(page.Locator(".mud-layout")).ToHaveAttributeAsync("data-theme", scheme == ColorScheme.Dark ? "dark" : "light");
            await PageChecks.ScreenshotsAsync(page, $"page-{name}{(scheme == ColorScheme.Dark ? "-dark" : "")}");
            await PageChecks.AssertAccessibleAsync(page);
        }
    }

    public static TheoryData<string, string> PhonePages => new()
    {
        { "overview", "" },
        { "run", "runs/{run}" },
        { "plan", "plan" },
    };

    [Theory]
    [MemberData(nameof(PhonePages))]
    public async Task Page_DoesNotScrollSideways_AtPhoneWidth(string name, string path)
    {
        var page = await OpenAsync((await SeedAsync()).Resolve(path), width: 390, role: DashboardRoles.Admin);
        await SettledAsync(page);

        await page.ScreenshotAsync(new PageScreenshotOptions { Path = PageChecks.Artifact($"page-{name}-390.png"), FullPage = true, Animations = ScreenshotAnimations.Disabled });
        var overflow = await page.EvaluateAsync<int>("() => document.documentElement.scrollWidth - document.documentElement.clientWidth");
        Assert.True(overflow <= 0, $"At 390 px the page body scrolls {overflow} px sideways; past the right edge: {await WiderThanViewportAsync(page)}");
    }

    // The outermost elements that stick out, to say what to fix.
    private static Task<string> WiderThanViewportAsync(IPage page) => page.EvaluateAsync<string>("""
        () => [...document.querySelectorAll('body *')]
            .filter(e => e.getBoundingClientRect().right > document.documentElement.clientWidth + 1)
            .filter(e => !e.parentElement || e.parentElement.getBoundingClientRect().right <= document.documentElement.clientWidth + 1)
            .slice(0, 8).map(e => e.tagName.toLowerCase() + '.' + [...e.classList].join('.') + (e.dataset.testid ? '[' + e.dataset.testid + ']' : '') + ' ' + Math.round(e.getBoundingClientRect().right) + 'px')
            .join('; ')
        """);

    /// <summary>What the pages show: a finished whole-suite run, a conflicting CI upload and a mutation run.</summary>
    private async Task<Seeded> SeedAsync()
    {
        await Gate.WaitAsync();
        try
        {
            if (_seeded is null)
            {
                var run = await RunWholeSuiteAsync();
                await UploadConflictAsync();
                _seeded = new Seeded(run, await MutationRunAsync());
            }

            return _seeded;
        }
        finally
        {
            Gate.Release();
        }
    }

    private async Task<long> RunWholeSuiteAsync()
    {
        var requests = Server.Services.GetRequiredService<RunRequests>();
        var runs = Server.Services.GetRequiredService<RunReader>();
        var id = await requests.StartAsync(null, RunSelection.WholeSuite, RunSource.Dashboard, false, null, CancellationToken.None);
        await Eventually.ThatAsync(() => runs.FindAsync(id), run => run?.FinishedAt is not null, $"run {id} to finish", seconds: 300);
        return id;
    }

    // The fixture suite's discovered PassingTests.Adds carries item 1; this upload claims item 40 for it.
    private async Task UploadConflictAsync()
    {
        using var client = Server.CreateClient();
        var token = await Server.Services.GetRequiredService<ApiTokenStore>().CreateAsync($"ci-{Guid.NewGuid():N}", CancellationToken.None);
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token.Token);
        const string JUnit = """
            <?xml version="1.0" encoding="utf-8"?>
            <testsuites><testsuite name="ci"><testcase classname="Apex.Fixture.Suite.PassingTests" name="Adds" time="0.2">
            <properties><property name="PlanId" value="40" /></properties></testcase></testsuite></testsuites>
            """;
        using var content = new StringContent(JUnit, Encoding.UTF8, "application/xml");
        using var response = await client.PostAsync($"/api/v1/results?suite={DashboardServer.Suite}&commit=c0ffee&branch=main", content);
        Assert.True(response.IsSuccessStatusCode, $"The upload was refused: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
    }

    private async Task<long> MutationRunAsync()
    {
        await using var db = await Server.Services.GetRequiredService<IDbContextFactory<CoverageDbContext>>().CreateDbContextAsync();
        var at = DateTimeOffset.UtcNow;
        var run = new MutationRun
        {
            Suite = DashboardServer.Suite, PlanItem = 1, Source = "dashboard", Status = MutationRunStatus.Completed, Scope = "src/Apex.Platform/Auth/**/*.cs",
            Tested = 3, ToTest = 3, Killed = 2, Survived = 1, RequestedAt = at, StartedAt = at, FinishedAt = at.AddMinutes(2),
        };
        run.Files.Add(new MutationFileResult { Path = "src/Apex.Platform/Auth/AuthEndpoints.cs", Killed = 2, Survived = 1 });
        run.Survivors.Add(new MutationSurvivor { Path = "src/Apex.Platform/Auth/AuthEndpoints.cs", Line = 42, Column = 13, Mutator = "Equality", Replacement = "a != b", Status = "Survived" });
        db.MutationRuns.Add(run);
        await db.SaveChangesAsync();
        return run.Id;
    }

    /// <summary>Waits until the page has its data: no indeterminate progress bar left.</summary>
    private static async Task SettledAsync(IPage page)
    {
        await page.WaitForLoadStateAsync(LoadState.NetworkIdle);
        await Assertions.Expect(page.Locator(".mud-progress-indeterminate")).ToHaveCountAsync(0, new() { Timeout = 30_000 });
    }

    private sealed record Seeded(long Run, long Mutation)
    {
        public string Resolve(string path) =>
            path.Replace("{run}", $"{Run}", StringComparison.Ordinal).Replace("{mutation}", $"{Mutation}", StringComparison.Ordinal);
    }
}
