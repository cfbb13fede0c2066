using System.Net;
using System.Net.Http.Json;
using Apex.Coverage.Web.Access;
using Apex.Coverage.Web.Alerts;
using Apex.Coverage.Web.ApiTokens;
using Microsoft.Extensions.DependencyInjection;

namespace Apex.Coverage.Tests.Auth;

/// <summary>
/// The alerts API is an admin's: webhooks hold secrets and send data out. A CI token (results and runs)
/// and a runner are refused; an admin reads; only a token with scope alerts:write changes them.
/// </summary>
public sealed class AlertsAccessTests(AuthHost host) : IClassFixture<AuthHost>
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Webhooks_AreRefused_ToACiTokenAndARunner_AndNothingIsAdded()
    {
        var (ci, _) = await host.TokenClientAsync(ApiTokenScopes.All);
        using var _ = ci;
        using var runner = await host.SignedInAsync(DashboardRoles.Runner);
        var name = $"exfil-{Guid.NewGuid():N}"[..16];

        using var ciList = await ci.GetAsync("/api/v1/alerts/webhooks", Ct);
        using var ciDeliveries = await ci.GetAsync("/api/v1/alerts/deliveries", Ct);
        using var ciAdd = await ci.PostAsJsonAsync("/api/v1/alerts/webhooks", new { name, url = "http://127.0.0.1:9/x" }, Ct);
        using var runnerList = await runner.GetAsync("/api/v1/alerts/webhooks", Ct);

        Assert.Equal(
            (HttpStatusCode.Forbidden, HttpStatusCode.Forbidden, HttpStatusCode.Forbidden, HttpStatusCode.Forbidden),
            (ciList.StatusCode, ciDeliveries.StatusCode, ciAdd.StatusCode, runnerList.StatusCode));
        Assert.DoesNotContain(await WebhooksAsync(), w => w.Name == name);
    }

    [Fact]
    public async Task Webhooks_AreReadByAnAdmin_AndChangedOnlyWithAnAlertsToken()
    {
        using var admin = await host.SignedInAsync(DashboardRoles.Admin);
        var (alerts, _) = await host.TokenClientAsync([ApiTokenScopes.AlertsWrite]);
        using var _ = alerts;
        var name = $"hook-{Guid.NewGuid():N}"[..16];

        using var sessionAdd = await admin.PostAsJsonAsync("/api/v1/alerts/webhooks", new { name, url = "http://127.0.0.1:9/x" }, Ct);
        using var tokenAdd = await alerts.PostAsJsonAsync("/api/v1/alerts/webhooks", new { name, url = "http://127.0.0.1:9/x" }, Ct);
        using var adminList = await admin.GetAsync("/api/v1/alerts/webhooks", Ct);
        using var tokenList = await alerts.GetAsync("/api/v1/alerts/webhooks", Ct);

        Assert.Equal(
            (HttpStatusCode.Forbidden, HttpStatusCode.Created, HttpStatusCode.OK, HttpStatusCode.OK),
            (sessionAdd.StatusCode, tokenAdd.StatusCode, adminList.StatusCode, tokenList.StatusCode));
        Assert.Contains(name, await adminList.Content.ReadAsStringAsync(Ct), StringComparison.Ordinal);
        Assert.Single(await WebhooksAsync(), w => w.Name == name);
    }

    private async Task<List<WebhookView>> WebhooksAsync()
    {
        await using var scope = host.Factory.Services.CreateAsyncScope();
        return await scope.ServiceProvider.GetRequiredService<WebhookBook>().ListAsync(Ct);
    }
}
