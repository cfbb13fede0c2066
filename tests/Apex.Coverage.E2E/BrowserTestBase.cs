using Microsoft.Playwright;

namespace Apex.Coverage.E2E;

/// <summary>
/// What a browser test of the dashboard starts from: the class's dashboard (<see cref="DashboardServer"/>)
/// and one Chromium (<see cref="BrowserSession"/>), pages signed in through the real sign-in form, and
/// every page it opened closed after each test, so no circuit outlives it.
/// </summary>
public abstract class BrowserTestBase(DashboardServer server, BrowserSession browser) : IAsyncDisposable
{
    private readonly List<IPage> _pages = [];

    protected DashboardServer Server => server;

    protected BrowserSession Session => browser;

    /// <summary>The absolute address of <paramref name="path"/> on the class's dashboard.</summary>
    protected string Url(string path) => new Uri(server.Address, path).ToString();

    /// <summary>Opens <paramref name="path"/> signed in (through the real sign-in form) as a new user of <paramref name="role"/>.</summary>
    protected async Task<IPage> OpenAsync(string path, int width = 1440, ColorScheme scheme = ColorScheme.Light, string role = Web.Access.DashboardRoles.Viewer) =>
        Keep(await browser.OpenAsync(new Uri(server.Address, path), width, scheme, server, role));

    /// <summary>A page of a fresh browser context, signed in as a new user of <paramref name="role"/>, on no page yet.</summary>
    protected async Task<IPage> NewSignedInPageAsync(string role) =>
        Keep(await server.NewSignedInPageAsync(browser.Browser, server.Address, role));

    /// <summary>A page of a fresh browser context that nobody signed in to.</summary>
    protected async Task<IPage> NewAnonymousPageAsync() => Keep(await SignIn.NewAnonymousPageAsync(browser.Browser));

    private IPage Keep(IPage page)
    {
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
