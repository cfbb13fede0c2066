using Apex.Coverage.Web.Access;
using Microsoft.Playwright;

namespace Apex.Coverage.E2E;

/// <summary>
/// The dashboard's Content-Security-Policy (issue 15, ADR 0182) in a real browser: the main pages
/// report no violation, and the interactive circuit (Blazor Server over its WebSocket, MudBlazor's
/// script) still works under it.
/// </summary>
public sealed class ContentSecurityPolicyTests(DashboardServer server, BrowserSession browser)
    : BrowserTestBase(server, browser), IClassFixture<DashboardServer>, IClassFixture<BrowserSession>
{
    private static readonly string[] MainPages =
        ["account/login", "", "plan", "plan/history", "runs", "runs/schedules", "coverage/tests", "coverage/flaky", "coverage/failures", "coverage/categories/authentication-authorization"];

    // Injected by the browser's debugging protocol, so the policy does not apply to it.
    private const string ViolationRecorder =
        "window.__cspViolations = []; document.addEventListener('securitypolicyviolation', e => "
        + "window.__cspViolations.push(e.violatedDirective + ' blocked ' + (e.blockedURI || 'inline') + ' in ' + location.pathname));";

    [Fact]
    public async Task MainPages_ReportNoPolicyViolation_WhenLoadedInBrowser()
    {
        var page = await NewSignedInPageAsync(DashboardRoles.Runner);
        await page.AddInitScriptAsync(ViolationRecorder);
        var console = new List<string>();
        page.Console += (_, message) => console.Add(message.Text);
        var violations = new List<string>();

        foreach (var path in MainPages)
        {
            var response = await page.GotoAsync(Url(path), new() { WaitUntil = WaitUntilState.NetworkIdle });
            Assert.Contains("script-src 'self' 'nonce-", response!.Headers["content-security-policy"], StringComparison.Ordinal);
            violations.AddRange(await page.EvaluateAsync<string[]>("window.__cspViolations"));
        }

        Assert.Empty(violations);
        Assert.DoesNotContain(console, m => m.Contains("Content Security Policy", StringComparison.OrdinalIgnoreCase));
    }

    [Fact]
    public async Task Circuit_HandlesClicks_WhenPolicyIsEnforced()
    {
        var page = await NewSignedInPageAsync(DashboardRoles.Runner);
        await page.AddInitScriptAsync(ViolationRecorder);

        await page.GotoAsync(Url("coverage/categories/authentication-authorization"));
        // Rendered "true" only once the circuit is up over its WebSocket.
        await Assertions.Expect(page.Locator("[data-testid=coverage-category-title]")).ToHaveAttributeAsync("data-interactive", "true", new() { Timeout = 60_000 });
        await page.Locator("button[data-testid=run-button]").ClickAsync();
        await page.WaitForURLAsync("**/runs/*", new() { Timeout = 60_000 });
        await Assertions.Expect(page.Locator("[data-testid=run-status]")).ToBeVisibleAsync(new() { Timeout = 60_000 });

        Assert.Empty(await page.EvaluateAsync<string[]>("window.__cspViolations"));
    }
}
