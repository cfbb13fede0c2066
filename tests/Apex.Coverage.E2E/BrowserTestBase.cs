using Microsoft.Playwright;

namespace Apex.Coverage.E2E;

/// <summary>Opens pages on the class's dashboard and closes them after each test, so no circuit outlives it.</summary>
public abstract class BrowserTestBase(DashboardServer server, BrowserSession browser) : IAsyncDisposable
{
    private readonly List<IPage> _pages = [];

    protected DashboardServer Server => server;

    protected BrowserSession Session => browser;

    /// <summary>Opens <paramref name="path"/> signed in (through the real sign-in form) as a new user of <paramref name="role"/>.</summary>
    protected async Task<IPage> OpenAsync(string path, int width = 1440, ColorScheme scheme = ColorScheme.Light, string role = Web.Access.DashboardRoles.Viewer)
    {
        var page = await browser.OpenAsync(new Uri(server.Address, path), width, scheme, server, role);
        _pages.Add(page);
        return page;
    }

    // An open page keeps its circuit; closed here, the server's shutdown does not wait for it.
    public async ValueTask DisposeAsync()
    {
        foreach (var page in _pages)
        {
            await page.CloseAsync();
        }

        GC.SuppressFinalize(this);
    }
}
