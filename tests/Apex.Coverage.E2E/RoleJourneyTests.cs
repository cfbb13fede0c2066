using Apex.Coverage.Web.Access;
using Microsoft.Playwright;

namespace Apex.Coverage.E2E;

/// <summary>
/// The pages as each role and as nobody, in a real browser: nobody is sent to the sign-in page; a
/// viewer reads but sees no action; a runner sees the run and quarantine actions but not Settings;
/// an admin opens Settings, makes a scoped token and finds it on the audit trail.
/// </summary>
public sealed class RoleJourneyTests(DashboardServer server, BrowserSession browser)
    : BrowserTestBase(server, browser), IClassFixture<DashboardServer>, IClassFixture<BrowserSession>
{
    [Fact]
    public async Task Nobody_IsSentToSignIn_AndComesBackToThePageAfterSigningIn()
    {
        var page = await NewAnonymousPageAsync();
        var email = $"viewer-{Guid.NewGuid():N}@apex.test";
        await Server.CreateUserAsync(email, DashboardRoles.Viewer);

        await page.GotoAsync(Url("plan"));
        await page.WaitForURLAsync("**/account/login?ReturnUrl=%2Fplan");
        await SignIn.SubmitAsync(page, email, "Wrong-Password-123");
        await Assertions.Expect(page.Locator("[data-testid=login-error]")).ToContainTextAsync("Wrong e-mail or password");
        await SignIn.SubmitAsync(page, email, SignIn.Password);

        await page.WaitForURLAsync("**/plan");
        await Assertions.Expect(page.Locator("[data-testid=user-role]")).ToHaveTextAsync(DashboardRoles.Viewer);
    }

    [Fact]
    public async Task Viewer_ReadsEveryPageButSeesNoAction()
    {
        var page = await NewSignedInPageAsync(DashboardRoles.Viewer);

        await page.GotoAsync(Url(""));
        await Assertions.Expect(page.Locator("[data-testid=user-role]")).ToHaveTextAsync(DashboardRoles.Viewer);
        await Assertions.Expect(page.Locator("[data-testid=overview-run]")).ToBeVisibleAsync();
        await Assertions.Expect(page.Locator("[data-testid=run-button]")).ToHaveCountAsync(0);
        await Assertions.Expect(page.Locator("nav a[href^='settings']")).ToHaveCountAsync(0);
        await page.GotoAsync(Url("runs"));
        await Assertions.Expect(page.Locator("[data-testid=run-actions]")).ToBeVisibleAsync();
        await Assertions.Expect(page.Locator("[data-testid=run-button]")).ToHaveCountAsync(0);
        await page.GotoAsync(Url("coverage/categories/authentication-authorization"));
        await Assertions.Expect(page.Locator("[data-testid=coverage-category-title]")).ToHaveAttributeAsync("data-interactive", "true");
        await Assertions.Expect(page.Locator("[data-testid=run-button]")).ToHaveCountAsync(0);
        await page.GotoAsync(Url("settings"));
        await page.WaitForURLAsync("**/account/denied**");
        await Assertions.Expect(page.Locator("[data-testid=not-allowed]")).ToBeVisibleAsync();
    }

    [Fact]
    public async Task Runner_SeesRunActionsButNotSettings()
    {
        var page = await NewSignedInPageAsync(DashboardRoles.Runner);

        await page.GotoAsync(Url(""));
        await Assertions.Expect(page.Locator("[data-testid=overview-run] [data-testid=run-button]")).ToBeVisibleAsync();
        await Assertions.Expect(page.Locator("nav a[href^='settings']")).ToHaveCountAsync(0);
        await page.GotoAsync(Url("runs"));
        await Assertions.Expect(page.Locator("[data-testid=run-actions] [data-testid=run-button]").First).ToBeVisibleAsync();
        await page.GotoAsync(Url("settings"));
        await page.WaitForURLAsync("**/account/denied**");
    }

    [Fact]
    public async Task Admin_MakesAScopedTokenAndFindsItOnTheAuditTrail_ThenSignsOut()
    {
        var page = await NewSignedInPageAsync(DashboardRoles.Admin);
        var name = $"ci-{Guid.NewGuid():N}"[..12];

        await page.GotoAsync(Url("settings"));
        // Prerendered HTML shows the form before the circuit can handle it.
        await Assertions.Expect(page.Locator("[data-testid=settings-title]")).ToHaveAttributeAsync("data-interactive", "true");
        await page.Locator("input[data-testid=token-name], [data-testid=token-name] input").FillAsync(name);
        await page.Locator("input[data-testid=token-scope-runs], [data-testid=token-scope-runs] input").UncheckAsync();
        await page.Locator("[data-testid=token-create]").ClickAsync();
        await Assertions.Expect(page.Locator("[data-testid=token-value]")).ToBeVisibleAsync();
        await Assertions.Expect(page.Locator("[data-testid=token-row]", new() { HasText = name }).Locator("[data-testid=token-scopes]")).ToHaveTextAsync("Upload CI results");

        await page.GotoAsync(Url("settings/audit"));
        await Assertions.Expect(page.Locator("[data-testid=audit-row][data-action='token.created']", new() { HasText = name })).ToBeVisibleAsync();

        await page.Locator("[data-testid=logout]").ClickAsync();
        await page.WaitForURLAsync("**/account/login");
        await page.GotoAsync(Url("settings"));
        await page.WaitForURLAsync("**/account/login?ReturnUrl=%2Fsettings");
    }
}
