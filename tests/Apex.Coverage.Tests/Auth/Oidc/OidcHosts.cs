using Apex.Coverage.Tests.Ingestion;
using Apex.Coverage.Web.Audit;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;

namespace Apex.Coverage.Tests.Auth.Oidc;

/// <summary>
/// The provider and the dashboard, both on Kestrel at loopback ports, so the browser's redirects and the
/// dashboard's back channel (discovery, keys, code exchange) are real HTTP. The dashboard maps the
/// provider's <c>groups</c> claim: apex-admins → admin, apex-runners → runner, apex-readers → viewer.
/// </summary>
public sealed class OidcHosts : IAsyncLifetime
{
    public const string ProviderName = "Corp SSO";

    public TestIdentityProvider Provider { get; private set; } = null!;

    public IngestionHostFactory Dashboard { get; private set; } = null!;

    public Uri DashboardAddress { get; private set; } = null!;

    public async ValueTask InitializeAsync()
    {
        Provider = await TestIdentityProvider.StartAsync();
        Dashboard = new IngestionHostFactory(configure: b => Configure(b, Provider.Address));
        Dashboard.UseKestrel(0);
        Dashboard.StartServer();
        DashboardAddress = Dashboard.ClientOptions.BaseAddress;
        await Provider.RegisterDashboardAsync(DashboardAddress);
    }

    public async ValueTask DisposeAsync()
    {
        await Dashboard.DisposeAsync();
        await Provider.DisposeAsync();
    }

    public OidcBrowser NewBrowser() => new(DashboardAddress);

    /// <summary>The newest entries of <paramref name="action"/> on the dashboard's audit trail.</summary>
    public async Task<IReadOnlyList<AuditEntry>> AuditAsync(string action, string? actor = null) =>
        (await Dashboard.Services.GetRequiredService<AuditTrail>().QueryAsync(new AuditQuery(Take: 20, Action: action, Actor: actor), TestContext.Current.CancellationToken)).Entries;

    internal static void Configure(IWebHostBuilder builder, Uri provider)
    {
        builder.UseSetting("Auth:Oidc:Authority", provider.ToString());
        builder.UseSetting("Auth:Oidc:ClientId", TestIdentityProvider.ClientId);
        builder.UseSetting("Auth:Oidc:ClientSecret", TestIdentityProvider.ClientSecret);
        builder.UseSetting("Auth:Oidc:RequireHttpsMetadata", "false");
        builder.UseSetting("Auth:Oidc:DisplayName", ProviderName);
        builder.UseSetting("Auth:Oidc:RoleClaim", TestIdentityProvider.GroupsClaim);
        builder.UseSetting("Auth:Oidc:Scopes:0", TestIdentityProvider.GroupsClaim);
        builder.UseSetting("Auth:Oidc:RoleMap:apex-admins", "admin");
        builder.UseSetting("Auth:Oidc:RoleMap:apex-runners", "runner");
        builder.UseSetting("Auth:Oidc:RoleMap:apex-readers", "viewer");
    }
}
