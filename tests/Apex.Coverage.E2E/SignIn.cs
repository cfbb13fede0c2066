using Apex.Coverage.Web.Access;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;

namespace Apex.Coverage.E2E;

/// <summary>
/// A browser page signed in the way a person signs in: the user is made through the app's own
/// <see cref="UserAccounts"/> (Identity), then the sign-in form is filled and submitted in the
/// browser, which keeps Identity's cookie in its own context.
/// </summary>
public static class SignIn
{
    public const string Password = "Correct-Horse-7-Battery";

    private static readonly BrowserNewContextOptions Viewport = new() { ViewportSize = new ViewportSize { Width = 1440, Height = 1100 } };

    /// <summary>A page of a fresh browser context, signed in as a new user of <paramref name="role"/>.</summary>
    public static async Task<IPage> NewSignedInPageAsync(this WebApplicationFactory<Program> server, IBrowser browser, Uri address, string role)
    {
        var page = await NewAnonymousPageAsync(browser);
        await SignInAsync(page, server, address, role);
        return page;
    }

    /// <summary>Signs <paramref name="page"/> in through the form as a new user of <paramref name="role"/>.</summary>
    public static async Task SignInAsync(IPage page, WebApplicationFactory<Program> server, Uri address, string role, string? email = null)
    {
        email ??= $"{role}-{Guid.NewGuid():N}@apex.test";
        await server.CreateUserAsync(email, role);
        await page.GotoAsync(new Uri(address, "account/login").ToString());
        await SubmitAsync(page, email, Password);
        await page.WaitForURLAsync(url => !url.Contains("/account/login", StringComparison.Ordinal));
    }

    /// <summary>Makes a local account through the app's own account service.</summary>
    public static async Task CreateUserAsync(this WebApplicationFactory<Program> server, string email, string role)
    {
        await using var scope = server.Services.CreateAsyncScope();
        await scope.ServiceProvider.GetRequiredService<UserAccounts>().CreateAsync(email, Password, role);
    }

    /// <summary>A page of a fresh browser context that nobody signed in to.</summary>
    public static async Task<IPage> NewAnonymousPageAsync(IBrowser browser) =>
        await (await browser.NewContextAsync(Viewport)).NewPageAsync();

    /// <summary>Fills and submits the sign-in form the page shows.</summary>
    public static async Task SubmitAsync(IPage page, string email, string password)
    {
        await page.Locator("[data-testid=login-email]").FillAsync(email);
        await page.Locator("[data-testid=login-password]").FillAsync(password);
        await page.Locator("[data-testid=login-submit]").ClickAsync();
    }
}
