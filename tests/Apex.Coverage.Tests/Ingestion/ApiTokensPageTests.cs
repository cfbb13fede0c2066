using Apex.Coverage.Web.Access;
using Apex.Coverage.Tests.Fixtures;
using Apex.Coverage.Web.ApiTokens;
using Apex.Coverage.Web.Components.Settings;
using Bunit;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using MudBlazor.Services;

namespace Apex.Coverage.Tests.Ingestion;

public sealed class ApiTokensPageTests : DashboardComponentTest
{
    private ApiTokenStore _store = null!;
    private Bunit.TestDoubles.BunitAuthorizationContext _user = null!;

    protected override void AddServices()
    {
        _store = new ApiTokenStore(Database, TimeProvider.System);
        Services.AddMudServices();
        _user = this.SignInAs(DashboardRoles.Admin, Database);
        Services.AddSingleton(_store);
        Renderer.SetRendererInfo(new Microsoft.AspNetCore.Components.RendererInfo("Server", isInteractive: true));
    }

    [Fact]
    public async Task SettingsPage_ShowsNewTokenOnceAndTheStoreAcceptsIt_WhenCreated()
    {
        var page = Render<ApiTokensPage>();
        page.WaitForAssertion(() => page.Find("[data-testid=tokens-empty]"));

        page.Find("input[data-testid=token-name], [data-testid=token-name] input").Input("github");
        page.Find("button[data-testid=token-create]").Click();

        page.WaitForAssertion(() => page.Find("[data-testid=token-value]"), TimeSpan.FromSeconds(10));
        var token = page.Find("[data-testid=token-value]").TextContent.Trim();
        Assert.Equal("github", await _store.FindNameAsync(token, Ct));
        Assert.Contains(token[..12], page.Find("[data-testid=token-row]").TextContent, StringComparison.Ordinal);
        var again = Render<ApiTokensPage>();
        again.WaitForAssertion(() => again.Find("[data-testid=token-row]"));
        Assert.DoesNotContain(token, again.Markup, StringComparison.Ordinal);
    }

    [Fact]
    public async Task SettingsPage_RevokesToken_WhenRevokeIsConfirmed()
    {
        var created = await _store.CreateAsync("ci", Ct);
        var page = Render<ApiTokensPage>();
        page.WaitForAssertion(() => page.Find("button[data-testid=token-revoke]"));

        page.Find("button[data-testid=token-revoke]").Click();
        page.WaitForAssertion(() => page.Find("button[data-testid=token-revoke-confirm]"));
        page.Find("button[data-testid=token-revoke-confirm]").Click();

        // Revoking also writes the audit entry: a loaded machine needs more than bUnit's default second.
        page.WaitForAssertion(() => Assert.StartsWith("Revoked ", page.Find("[data-testid=token-state]").TextContent.Trim(), StringComparison.Ordinal), TimeSpan.FromSeconds(10));
        Assert.Null(await _store.FindNameAsync(created.Token, Ct));
        await using var db = Database.CreateDbContext();
        var audit = await db.AuditEntries.AsNoTracking().SingleAsync(Ct);
        Assert.Equal(("dana", Web.Audit.AuditActions.TokenRevoked, "ci"), (audit.Actor, audit.Action, audit.Subject));
    }

    [Fact]
    public async Task SettingsPage_MakesNoToken_WhenTheAdminWasDemotedWhileThePageWasOpen()
    {
        var page = Render<ApiTokensPage>();
        page.Find("input[data-testid=token-name], [data-testid=token-name] input").Input("sneaky");
        _user.SetRoles(DashboardRoles.Runner);

        page.Find("button[data-testid=token-create]").Click();

        page.WaitForAssertion(() => Assert.Contains("admin", page.Find("[data-testid=token-error]").TextContent, StringComparison.OrdinalIgnoreCase));
        Assert.Empty(page.FindAll("[data-testid=token-value]"));
        Assert.Empty(await _store.ListAsync(Ct));
        await using var db = Database.CreateDbContext();
        Assert.Equal(0, await db.AuditEntries.CountAsync(Ct));
    }

    [Fact]
    public async Task SettingsPage_ExplainsTheNameRule_WhenNameIsTaken()
    {
        await _store.CreateAsync("ci", Ct);
        var page = Render<ApiTokensPage>();
        page.WaitForAssertion(() => page.Find("[data-testid=token-row]"));

        page.Find("input[data-testid=token-name], [data-testid=token-name] input").Input("ci");
        page.Find("button[data-testid=token-create]").Click();

        page.WaitForAssertion(() => Assert.Contains("already exists", page.Find("[data-testid=token-error]").TextContent, StringComparison.Ordinal));
        Assert.Single(await _store.ListAsync(Ct));
    }
}
