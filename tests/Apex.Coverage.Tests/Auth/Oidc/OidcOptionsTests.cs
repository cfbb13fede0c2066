using Apex.Coverage.Tests.Fixtures;
using System.Security.Claims;
using Apex.Coverage.Tests.Ingestion;
using Apex.Coverage.Web.Access;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.Options;

namespace Apex.Coverage.Tests.Auth.Oidc;

/// <summary>The provider's settings are checked when the dashboard starts, and the role rule over the claims.</summary>
public sealed class OidcOptionsTests
{
    [Theory]
    [InlineData("Auth:Oidc:ClientSecret", "", "Auth:Oidc:ClientSecret is required")]
    [InlineData("Auth:Oidc:ClientId", "", "Auth:Oidc:ClientId is required")]
    [InlineData("Auth:Oidc:RoleClaim", " ", "Auth:Oidc:RoleClaim is required")]
    [InlineData("Auth:Oidc:RequireHttpsMetadata", "true", "Auth:Oidc:Authority is plain HTTP")]
    [InlineData("Auth:Oidc:RoleMap:apex-admins", "superuser", "Auth:Oidc:RoleMap:apex-admins must be viewer, runner or admin; \"superuser\" is not.")]
    [InlineData("Auth:Oidc:DefaultRole", "owner", "Auth:Oidc:DefaultRole must be viewer, runner or admin")]
    public async Task Start_FailsNamingTheKey_WhenAProviderSettingIsWrong(string key, string value, string message)
    {
        var error = Assert.IsType<OptionsValidationException>(await StartupFailure.OfAsync(b =>
        {
            OidcHosts.Configure(b, new Uri("http://127.0.0.1:9/"));
            b.UseSetting(key, value);
        }));

        Assert.Contains(message, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Start_ShowsTheProviderButtonAndLetsItsFormGoThere_WhenTheProviderIsConfiguredWell()
    {
        await using var factory = new IngestionHostFactory(configure: b => OidcHosts.Configure(b, new Uri("http://127.0.0.1:9/")));

        using var client = factory.CreateClient();
        using var answer = await client.GetAsync("/account/login", TestContext.Current.CancellationToken);
        var page = await answer.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);

        Assert.Contains(OidcHosts.ProviderName, page, StringComparison.Ordinal);
        Assert.Contains("action=\"account/external\"", page, StringComparison.Ordinal);
        // The provider button's form is redirected to the provider, which the browser checks against form-action.
        Assert.Contains("form-action 'self' http://127.0.0.1:9;", string.Join(", ", answer.Headers.GetValues("Content-Security-Policy")), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(new[] { "qa", "apex-admins" }, null, DashboardRoles.Admin)]
    [InlineData(new[] { "apex-readers", "apex-runners" }, null, DashboardRoles.Runner)]
    [InlineData(new[] { "admin" }, null, null)]
    [InlineData(new string[0], null, null)]
    [InlineData(new[] { "qa" }, DashboardRoles.Viewer, DashboardRoles.Viewer)]
    public void Of_GivesTheHighestMappedRoleOrTheDefault(string[] groups, string? defaultRole, string? expected)
    {
        var options = new OidcOptions { RoleClaim = "groups", DefaultRole = defaultRole };
        options.RoleMap["apex-admins"] = DashboardRoles.Admin;
        options.RoleMap["APEX-RUNNERS"] = DashboardRoles.Runner;
        options.RoleMap["apex-readers"] = DashboardRoles.Viewer;

        Assert.Equal(expected, OidcRoles.Of(Principal("groups", groups), options));
    }

    [Fact]
    public void Of_TakesTheRoleNamesThemselves_WhenNoMapIsConfigured()
    {
        var options = new OidcOptions { RoleClaim = "roles" };

        Assert.Equal((DashboardRoles.Runner, (string?)null), (OidcRoles.Of(Principal("roles", ["Runner", "viewer"]), options), OidcRoles.Of(Principal("groups", ["admin"]), options)));
    }

    private static ClaimsPrincipal Principal(string type, string[] values) =>
        new(new ClaimsIdentity(values.Select(v => new Claim(type, v)), "test"));
}
