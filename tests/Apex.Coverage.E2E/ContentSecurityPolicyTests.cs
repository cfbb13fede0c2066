using Apex.Coverage.Web.Access;
using Microsoft.Playwright;

namespace Apex.Coverage.E2E;

/// <summary>
/// The dashboard's Content-Security-Policy (issue 15, ADR 0182) in a real browser: the main pages
/// report no violation, and the interactive circuit (Blazor Server over its WebSocket, MudBlazor's
/// script) still works under it.
/// </summary>
public sealed class ContentSecurityPolicyTests(DashboardServer server) : IClassFixture<DashboardServer>, IAsyncLifetime
{
    private static readonly string[] ChromiumArgs =
        ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"];

    private static readonly string[] MainPages =
        ["account/login", "", "plan", "plan/history", "runs", "runs/schedules", "coverage/tests", "coverage/flaky", "coverage/failures", "coverage/categories/authentication-authorization"];

    // Injected by the browser's debugging protocol, so the policy does not apply to it.
    private const string ViolationRecorder =
        "window.__cspViolations = []; document.addEventListener('securitypolicyviolation', e => "
        + "window.__cspViolations.push(e.violatedDirective + ' blocked ' + (e.blockedURI || 'inline') + ' in ' + location.pathname));";

    private IPlaywright _playwright = null!;
    private IBrowser _browser = null!;

    public async ValueTask InitializeAsync()
    {
        _playwright = await Playwright.CreateAsync();
        _browser = await _playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions { ExecutablePath = "/usr/bin/chromium", Args = ChromiumArgs });
    }

    public async ValueTask DisposeAsync()
    {
        await _browser.DisposeAsync();
        _playwright.Dispose();
    }

    [Fact]
    public async Task MainPages_ReportNoPolicyViolation_WhenLoadedInBrowser()
    {
        var page = await server.NewSignedInPageAsync(_browser, server.Address, DashboardRoles.Runner);
        await page.AddInitScriptAsync(ViolationRecorder);
        var console = new List<string>();
        page.Console += (_, message) => console.Add(message.Text);
        var violations = new List<string>();

        foreach (var path in MainPages)
        {
            var response = await page.GotoAsync(new Uri(server.Address, path).ToString(), new() { WaitUntil = WaitUntilState.NetworkIdle });
            Assert.Contains("script-src 'self' 'nonce-", response!.Headers["content-security-policy"], StringComparison.Ordinal);
            violations.AddRange(await page.EvaluateAsync<string[]>("window.__cspViolations"));
        }

        Assert.Empty(violations);
        Assert.DoesNotContain(console, m => m.Contains("Content Security Policy", StringComparison.OrdinalIgnoreCase));
    }

    [Fact]
    public async Task Circuit_HandlesClicks_WhenPolicyIsEnforced()
    {
        var page = await server.NewSignedInPageAsync(_browser, server.Address, DashboardRoles.Runner);
        await page.AddInitScriptAsync(ViolationRecorder);

        await page.GotoAsync(new Uri(server.Address, "coverage/categories/authentication-authorization").ToString());
        // Rendered "true" only once the circuit is up over its WebSocket.
        await Assertions.Expect(page.Locator("[data-testid=coverage-category-title]")).ToHaveAttributeAsync("data-interactive", "true", new() { Timeout = 60_000 });
        await page.Locator("button[data-testid=run-button]").ClickAsync();
        await page.WaitForURLAsync("**/runs/*", new() { Timeout = 60_000 });
        await Assertions.Expect(page.Locator("[data-testid=run-status]")).ToBeVisibleAsync(new() { Timeout = 60_000 });

        Assert.Empty(await page.EvaluateAsync<string[]>("window.__cspViolations"));
    }
}
