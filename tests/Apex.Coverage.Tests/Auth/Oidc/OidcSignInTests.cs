using System.Net;
using System.Web;
using Apex.Coverage.Web.Access;
using Apex.Coverage.Web.Audit;
using Microsoft.Extensions.DependencyInjection;

namespace Apex.Coverage.Tests.Auth.Oidc;

/// <summary>
/// Issue 15 point 1, the external provider: the authorization code flow with PKCE against a real OpenIddict
/// server over HTTP, the role taken from the provider's groups claim; a person with no mapped group, a
/// tampered state and a forged nonce are refused, audited, and signed in nowhere.
/// </summary>
public sealed class OidcSignInTests(OidcHosts hosts) : IClassFixture<OidcHosts>
{
    [Theory]
    [InlineData("apex-admins", DashboardRoles.Admin)]
    [InlineData("apex-runners", DashboardRoles.Runner)]
    [InlineData("apex-readers", DashboardRoles.Viewer)]
    public async Task CodeFlow_SignsInWithTheMappedRole_WhenTheProviderSaysWhoItIs(string group, string role)
    {
        var person = hosts.Provider.AddUser("everyone", group);
        using var browser = hosts.NewBrowser();

        using var form = await browser.StartAsync("/plan");
        using var landed = await browser.SignInAtProviderAsync(form, person.Email);

        Assert.Equal((HttpStatusCode.OK, "/plan"), (landed.StatusCode, landed.RequestMessage!.RequestUri!.AbsolutePath));
        Assert.Contains(browser.Visited, u => u.AbsolutePath == OidcSignIn.CallbackPath && HttpUtility.ParseQueryString(u.Query)["code"] is not null);
        var account = Assert.Single(await ListUsersAsync(), u => u.Email == person.Email);
        Assert.Equal((role, true), (account.Role, account.External));
        var signedIn = Assert.Single(await hosts.AuditAsync(AuditActions.SignedIn, person.Email));
        Assert.Equal(OidcSignIn.Method, signedIn.Detail);
    }

    [Fact]
    public async Task CodeFlow_OpensAdminEndpointsOnlyForTheAdminGroup()
    {
        var admin = hosts.Provider.AddUser("apex-admins");
        var runner = hosts.Provider.AddUser("apex-runners", "apex-readers");

        using var adminBrowser = await SignedInAsync(admin);
        using var runnerBrowser = await SignedInAsync(runner);
        using var adminAudit = await adminBrowser.Http.GetAsync("/api/v1/audit", Ct);
        using var runnerAudit = await runnerBrowser.Http.GetAsync("/api/v1/audit", Ct);
        using var runnerPlan = await runnerBrowser.Http.GetAsync("/api/v1/plan", Ct);

        Assert.Equal((HttpStatusCode.OK, HttpStatusCode.Forbidden, HttpStatusCode.OK), (adminAudit.StatusCode, runnerAudit.StatusCode, runnerPlan.StatusCode));
    }

    [Fact]
    public async Task CodeFlow_RefusesAndMakesNoAccount_WhenNoGroupMapsToARole()
    {
        var stranger = hosts.Provider.AddUser("marketing", "apex-admins-old");
        using var browser = hosts.NewBrowser();

        using var form = await browser.StartAsync("/plan");
        using var landed = await browser.SignInAtProviderAsync(form, stranger.Email);
        using var api = await browser.Http.GetAsync("/api/v1/plan", Ct);

        Assert.Equal((HttpStatusCode.OK, "/account/login"), (landed.StatusCode, landed.RequestMessage!.RequestUri!.AbsolutePath));
        Assert.Contains("did not give a role this dashboard knows", await landed.Content.ReadAsStringAsync(Ct), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.Unauthorized, api.StatusCode);
        Assert.DoesNotContain(await ListUsersAsync(), u => u.Email == stranger.Email);
        var refused = Assert.Single(await hosts.AuditAsync(AuditActions.SignInFailed, stranger.Email));
        Assert.Equal("oidc: no role: claim \"groups\" is [marketing, apex-admins-old]", refused.Detail);
    }

    [Fact]
    public async Task Callback_IsRefused_WhenTheStateWasTamperedWith()
    {
        var person = hosts.Provider.AddUser("apex-admins");
        using var browser = hosts.NewBrowser();
        var failedBefore = await AnonymousFailuresAsync();

        using var form = await browser.StartAsync("/");
        using var landed = await browser.SignInAtProviderAsync(form, person.Email, tamper: url => url.AbsolutePath == OidcSignIn.CallbackPath ? Replace(url, "state", s => s[..^4] + "AAAA") : url);

        await AssertRefusedAsync(browser, landed, person, failedBefore);
    }

    [Fact]
    public async Task Callback_IsRefused_WhenTheNonceSentToTheProviderWasForged()
    {
        var person = hosts.Provider.AddUser("apex-admins");
        using var browser = hosts.NewBrowser();
        var failedBefore = await AnonymousFailuresAsync();

        using var form = await browser.StartAsync("/", tamper: url => Replace(url, "nonce", _ => "forged-nonce-0123456789"));
        using var landed = await browser.SignInAtProviderAsync(form, person.Email);

        Assert.Contains(browser.Visited, u => u.AbsolutePath == OidcSignIn.CallbackPath);
        await AssertRefusedAsync(browser, landed, person, failedBefore);
    }

    [Fact]
    public async Task Callback_IsRefused_WhenTheSameCodeComesBackASecondTime()
    {
        var person = hosts.Provider.AddUser("apex-runners");
        using var browser = await SignedInAsync(person);
        var callback = browser.Visited.Last(u => u.AbsolutePath == OidcSignIn.CallbackPath);
        using var other = hosts.NewBrowser();
        var failedBefore = await AnonymousFailuresAsync();

        using var replayed = await other.GetAsync(callback);
        using var api = await other.Http.GetAsync("/api/v1/plan", Ct);

        Assert.Equal(HttpStatusCode.Redirect, replayed.StatusCode);
        Assert.StartsWith("/account/login?error=external-failed", replayed.Headers.Location?.OriginalString, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.Unauthorized, api.StatusCode);
        Assert.Equal(failedBefore + 1, await AnonymousFailuresAsync());
    }

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private async Task<OidcBrowser> SignedInAsync(ProviderUser person)
    {
        var browser = hosts.NewBrowser();
        using var form = await browser.StartAsync("/");
        using var landed = await browser.SignInAtProviderAsync(form, person.Email);
        Assert.Equal("/", landed.RequestMessage!.RequestUri!.AbsolutePath);
        return browser;
    }

    private async Task AssertRefusedAsync(OidcBrowser browser, HttpResponseMessage landed, ProviderUser person, int failedBefore)
    {
        using var api = await browser.Http.GetAsync("/api/v1/plan", Ct);
        Assert.Equal((HttpStatusCode.OK, "/account/login"), (landed.StatusCode, landed.RequestMessage!.RequestUri!.AbsolutePath));
        Assert.Contains("error=external-failed", landed.RequestMessage.RequestUri.Query, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.Unauthorized, api.StatusCode);
        Assert.DoesNotContain(await ListUsersAsync(), u => u.Email == person.Email);
        Assert.Equal(failedBefore + 1, await AnonymousFailuresAsync());
    }

    private async Task<int> AnonymousFailuresAsync() =>
        (await hosts.Dashboard.Services.GetRequiredService<AuditTrail>()
            .QueryAsync(new AuditQuery(Take: 1, Action: AuditActions.SignInFailed, Actor: "anonymous"), Ct)).Total;

    private async Task<IReadOnlyList<UserSummary>> ListUsersAsync()
    {
        await using var scope = hosts.Dashboard.Services.CreateAsyncScope();
        return await scope.ServiceProvider.GetRequiredService<UserAccounts>().ListAsync(Ct);
    }

    private static Uri Replace(Uri url, string parameter, Func<string, string> change)
    {
        var query = HttpUtility.ParseQueryString(url.Query);
        if (query[parameter] is not { } value)
        {
            return url;
        }

        query[parameter] = change(value);
        return new UriBuilder(url) { Query = query.ToString() }.Uri;
    }
}
