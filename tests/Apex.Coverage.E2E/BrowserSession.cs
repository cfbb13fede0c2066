using Microsoft.Playwright;

namespace Apex.Coverage.E2E;

/// <summary>Debian's Chromium driven by Playwright (`playwright install` cannot download a browser here).</summary>
public sealed class BrowserSession : IAsyncLifetime
{
    private static readonly string[] ChromiumArgs =
        ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"];

    private IPlaywright _playwright = null!;

    public IBrowser Browser { get; private set; } = null!;

    public async ValueTask InitializeAsync()
    {
        _playwright = await Playwright.CreateAsync();
        Browser = await _playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions { ExecutablePath = "/usr/bin/chromium", Args = ChromiumArgs });
    }

    /// <summary>
    /// A page of the given width, in light or dark colour scheme (what the OS would ask for). When <paramref name="server"/> is given, the page first signs in through the sign-in form as
    /// a new user of <paramref name="role"/> (see <see cref="SignIn"/>); otherwise nobody is signed in.
    /// </summary>
    public async Task<IPage> OpenAsync(Uri address, int width = 1440, ColorScheme scheme = ColorScheme.Light,
        DashboardServer? server = null, string role = Web.Access.DashboardRoles.Viewer)
    {
        var page = await Browser.NewPageAsync(new BrowserNewPageOptions
        {
            ViewportSize = new ViewportSize { Width = width, Height = 900 },
            ColorScheme = scheme,
        });
        if (server is not null)
        {
            await SignIn.SignInAsync(page, server, new Uri(address, "/"), role);
        }

        await page.GotoAsync(address.ToString());
        await Assertions.Expect(page.Locator(".mud-layout")).ToHaveAttributeAsync("data-interactive", "true");
        return page;
    }

    public async ValueTask DisposeAsync()
    {
        await Browser.DisposeAsync();
        _playwright.Dispose();
    }
}
