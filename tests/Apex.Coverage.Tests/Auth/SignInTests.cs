using System.Net;
using Apex.Coverage.Tests.Fixtures;
using Apex.Coverage.Web.Access;
using Apex.Coverage.Web.Audit;
using Microsoft.EntityFrameworkCore;

namespace Apex.Coverage.Tests.Auth;

/// <summary>Sign-in through the real form: Identity's passwords, lockout, cookie, antiforgery, and the audit of each attempt.</summary>
public sealed class SignInTests(AuthHost host) : IClassFixture<AuthHost>
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Login_SetsCookieThatOpensTheApi_WhenPasswordIsRight()
    {
        var email = $"v-{Guid.NewGuid():N}@apex.test";
        await host.Factory.CreateUserAsync(email, DashboardRoles.Viewer);
        using var client = host.Anonymous();

        using var before = await client.GetAsync("/api/v1/plan", Ct);
        using var login = await client.PostSignInAsync(email, SignIn.Password, "/plan");
        using var after = await client.GetAsync("/api/v1/plan", Ct);

        Assert.Equal(HttpStatusCode.Unauthorized, before.StatusCode);
        Assert.Equal((HttpStatusCode.Redirect, "/plan"), (login.StatusCode, login.Headers.Location?.OriginalString));
        Assert.Equal(HttpStatusCode.OK, after.StatusCode);
        Assert.Equal(AuditActions.SignedIn, (await LastAuditOfAsync(email)).Action);
    }

    [Fact]
    public async Task Login_SendsBackWithErrorAndAudits_WhenPasswordIsWrong()
    {
        var email = $"v-{Guid.NewGuid():N}@apex.test";
        await host.Factory.CreateUserAsync(email, DashboardRoles.Viewer);
        using var client = host.Anonymous();

        using var login = await client.PostSignInAsync(email, "Wrong-Password-123");
        using var api = await client.GetAsync("/api/v1/plan", Ct);

        Assert.StartsWith("/account/login?error=invalid", login.Headers.Location?.OriginalString, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.Unauthorized, api.StatusCode);
        var audit = await LastAuditOfAsync(email);
        Assert.Equal((AuditActions.SignInFailed, "password: wrong e-mail or password"), (audit.Action, audit.Detail));
    }

    [Fact]
    public async Task Login_IsRefused_WhenAccountIsLockedOutEvenWithTheRightPassword()
    {
        var email = $"v-{Guid.NewGuid():N}@apex.test";
        await host.Factory.CreateUserAsync(email, DashboardRoles.Runner);
        using var client = host.Anonymous();
        for (var attempt = 0; attempt < 5; attempt++)
        {
            (await client.PostSignInAsync(email, "Wrong-Password-123")).Dispose();
        }

        using var right = await client.PostSignInAsync(email, SignIn.Password);
        using var api = await client.GetAsync("/api/v1/plan", Ct);

        Assert.StartsWith("/account/login?error=locked", right.Headers.Location?.OriginalString, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.Unauthorized, api.StatusCode);
        Assert.Equal("password: locked out", (await LastAuditOfAsync(email)).Detail);
    }

    [Fact]
    public async Task Login_Answers400AndSignsNobodyIn_WhenTheFormHasNoAntiforgeryToken()
    {
        var email = $"v-{Guid.NewGuid():N}@apex.test";
        await host.Factory.CreateUserAsync(email, DashboardRoles.Viewer);
        using var client = host.Anonymous();

        using var login = await client.PostAsync("/account/login",
            new FormUrlEncodedContent(new Dictionary<string, string> { ["email"] = email, ["password"] = SignIn.Password }), Ct);
        using var api = await client.GetAsync("/api/v1/plan", Ct);

        Assert.Equal(HttpStatusCode.BadRequest, login.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, api.StatusCode);
    }

    [Theory]
    [InlineData("//evil.example/phish")]
    [InlineData("https://evil.example/")]
    [InlineData("/\\evil.example")]
    public async Task Login_RedirectsHome_WhenReturnUrlLeavesTheSite(string returnUrl)
    {
        var email = $"v-{Guid.NewGuid():N}@apex.test";
        await host.Factory.CreateUserAsync(email, DashboardRoles.Viewer);
        using var client = host.Anonymous();

        using var login = await client.PostSignInAsync(email, SignIn.Password, returnUrl);

        Assert.Equal("/", login.Headers.Location?.OriginalString);
    }

    [Fact]
    public async Task Logout_EndsTheSession_WhenPostedWithTheFormToken()
    {
        using var client = await host.SignedInAsync(DashboardRoles.Viewer);
        var token = await SignIn.AntiforgeryTokenAsync(client, "/account/login");

        using var logout = await client.PostAsync("/account/logout",
            new FormUrlEncodedContent(new Dictionary<string, string> { ["__RequestVerificationToken"] = token }), Ct);
        using var api = await client.GetAsync("/api/v1/plan", Ct);

        Assert.Equal(HttpStatusCode.Redirect, logout.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, api.StatusCode);
    }

    [Fact]
    public async Task UsersCli_MakesAnAdminWhoCanSignIn_WithThePasswordFromStdin()
    {
        var email = $"first-{Guid.NewGuid():N}@apex.test";
        var data = $"--Data:ConnectionString={host.Factory.ConnectionString}";
        using var output = new StringWriter();
        using var error = new StringWriter();

        var exit = await UserCommandLine.RunAsync(["users", "create", "--email", email, "--role", "admin", data], new StringReader(SignIn.Password + "\n"), output, error);
        var weak = await UserCommandLine.RunAsync(["users", "create", "--email", "x" + email, "--role", "admin", data], new StringReader("short\n"), output, error);
        using var client = host.Anonymous();
        using var login = await client.PostSignInAsync(email, SignIn.Password);
        using var settings = await client.GetAsync("/settings", Ct);

        Assert.Equal((0, 1), (exit, weak));
        Assert.Contains("at least 12 characters", error.ToString(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, settings.StatusCode);
        Assert.Equal((AuditActions.UserCreated, "cli"), ((await LastAuditOfAsync(email, AuditActions.UserCreated)).Action, (await LastAuditOfAsync(email, AuditActions.UserCreated)).Actor));
    }

    private async Task<AuditEntry> LastAuditOfAsync(string subject, string? action = null)
    {
        await using var db = host.Factory.CreateDbContext();
        return await db.AuditEntries.Where(e => e.Subject == subject && (action == null || e.Action == action)).OrderByDescending(e => e.Id).FirstAsync(Ct);
    }
}
