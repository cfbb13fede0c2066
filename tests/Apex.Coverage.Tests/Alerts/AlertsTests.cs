using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Apex.Coverage.Tests.Fixtures;
using Apex.Coverage.Web.Alerts;
using Apex.Coverage.Web.ApiTokens;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace Apex.Coverage.Tests.Alerts;

/// <summary>
/// Alerts end to end: webhooks added through the API, CI uploads through the real ingestion path,
/// deliveries posted to a real HTTP receiver that refuses the first two attempts of each hook.
/// </summary>
public sealed class AlertsTests : IAsyncLifetime
{
    private const string SignsIn = "Apex.L2.AuthTests.SignsIn";
    private const string Refreshes = "Apex.L2.AuthTests.Refreshes";
    private readonly PlanHostFactory _plan = new();
    private WebApplicationFactory<Program> _host = null!;
    private WebhookReceiver _receiver = null!;
    private HttpClient _client = null!;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync()
    {
        _receiver = await WebhookReceiver.StartAsync();
        _receiver.FailFirst = 2;
        _host = _plan.WithWebHostBuilder(b =>
        {
            b.UseSetting("Alerts:FirstRetryDelay", "00:00:00.010");
            b.UseSetting("Alerts:DefaultBranch", "main");
            b.UseSetting("Alerts:DashboardUrl", "https://apex.example.com");
        });
        var token = await _host.Services.GetRequiredService<ApiTokenStore>().CreateAsync(new ApiTokenRequest("alerts-admin", [ApiTokenScopes.AlertsWrite, ApiTokenScopes.ResultsWrite]), Ct);
        _client = _host.CreateClient();
        _client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token.Token);
    }

    public async ValueTask DisposeAsync()
    {
        _client.Dispose();
        await _host.DisposeAsync();
        await _plan.DisposeAsync();
        await _receiver.DisposeAsync();
    }

    private async Task<string> AddWebhookAsync(string name, string format)
    {
        using var response = await _client.PostAsJsonAsync("/api/v1/alerts/webhooks", new { name, url = $"{_receiver.Url}/{name}", format }, Ct);
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        return (await response.Content.ReadFromJsonAsync<JsonElement>(Ct)).GetProperty("secret").GetString()!;
    }

    private async Task UploadAsync(string branch, string commit, bool signsInPasses, bool refreshesPasses = true)
    {
        var xml = $"""
            <testsuites><testsuite name="l2">
              <testcase classname="Apex.L2.AuthTests" name="SignsIn" time="1.0"><properties><property name="PlanId" value="1"/></properties>{(signsInPasses ? "" : "<failure message=\"401\">expected 200</failure>")}</testcase>
              <testcase classname="Apex.L2.AuthTests" name="Refreshes" time="1.0"><properties><property name="PlanId" value="2"/></properties>{(refreshesPasses ? "" : "<failure message=\"boom\">boom</failure>")}</testcase>
            </testsuite></testsuites>
            """;
        using var content = new StringContent(xml, Encoding.UTF8, "application/xml");
        using var response = await _client.PostAsync($"/api/v1/results?commit={commit}&branch={Uri.EscapeDataString(branch)}", content, Ct);
        Assert.True(response.StatusCode == HttpStatusCode.Created, await response.Content.ReadAsStringAsync(Ct));
    }

    private Task<List<ReceivedHook>> ReceivedAsync(int atLeast) => Eventually.ThatAsync(
        () => Task.FromResult(_receiver.Received.ToList()), r => r.Count >= atLeast, $"{atLeast} webhook posts");

    [Fact]
    public async Task Alerts_PostOneSignedAlertPerChange_WhenDefaultBranchBreaksThenTurnsFlaky()
    {
        var jsonSecret = await AddWebhookAsync("ops", "json");
        await AddWebhookAsync("chat", "slack");

        await UploadAsync("main", "a1", signsInPasses: true);               // baseline: nothing to say
        await UploadAsync("main", "b2", signsInPasses: false);              // item 1 fails, protected MRR drops
        var broke = await ReceivedAsync(4);
        await UploadAsync("main", "c3", signsInPasses: false);              // still failing: no new alert
        await UploadAsync("feature/x", "f1", signsInPasses: true, refreshesPasses: false); // not the default branch
        await UploadAsync("main", "c3", signsInPasses: true);               // passed and failed on c3: flaky
        var all = await ReceivedAsync(6);
        var deliveries = await Eventually.ThatAsync(() => _client.GetFromJsonAsync<List<JsonElement>>("/api/v1/alerts/deliveries", Ct)!,
            d => d!.Count == 6 && d.All(x => x.GetProperty("status").GetString() == "delivered"), "six delivered alerts");

        var ops = broke.Where(h => h.Path == "ops").ToList();
        Assert.Equal(["item-failing", "protected-mrr-drop"], ops.Select(h => h.Event).Order());
        Assert.All(ops, h => Assert.Equal("sha256=" + Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(jsonSecret), Encoding.UTF8.GetBytes(h.Body))), h.Signature));
        var failing = JsonDocument.Parse(ops.Single(h => h.Event == "item-failing").Body).RootElement;
        Assert.Equal(1, failing.GetProperty("details").GetProperty("item").GetInt32());
        Assert.StartsWith("https://apex.example.com/runs/", failing.GetProperty("link").GetString(), StringComparison.Ordinal);
        var slack = JsonDocument.Parse(broke.First(h => h.Path == "chat").Body).RootElement;
        Assert.Equal("mrkdwn", slack.GetProperty("blocks")[0].GetProperty("text").GetProperty("type").GetString());
        Assert.Equal(6, all.Count);
        Assert.Equal(["test-flaky", "test-flaky"], all.Skip(4).Select(h => h.Event));
        Assert.Contains(SignsIn, all[^1].Body, StringComparison.Ordinal);
        Assert.DoesNotContain(all, h => h.Body.Contains(Refreshes, StringComparison.Ordinal));
        Assert.All(deliveries!, d => Assert.Equal(3, d.GetProperty("attempts").GetInt32()));
    }

    [Fact]
    public async Task AddWebhook_Answers401WithoutTokenAnd400ForBadUrl()
    {
        using var anonymous = _host.CreateClient();

        using var unauthorized = await anonymous.PostAsJsonAsync("/api/v1/alerts/webhooks", new { name = "x", url = "http://127.0.0.1/x" }, Ct);
        using var bad = await _client.PostAsJsonAsync("/api/v1/alerts/webhooks", new { name = "x", url = "ftp://example.com/x" }, Ct);

        Assert.Equal(HttpStatusCode.Unauthorized, unauthorized.StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
        Assert.Contains("not an absolute http or https URL", await bad.Content.ReadAsStringAsync(Ct), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Delivery_EndsFailedAfterMaxAttempts_WhenReceiverKeepsRefusing()
    {
        _receiver.FailFirst = int.MaxValue;
        await AddWebhookAsync("down", "teams");

        await UploadAsync("main", "a1", signsInPasses: true);
        await UploadAsync("main", "b2", signsInPasses: false);
        var deliveries = await Eventually.ThatAsync(() => _client.GetFromJsonAsync<List<JsonElement>>("/api/v1/alerts/deliveries", Ct)!,
            d => d!.Count == 2 && d.All(x => x.GetProperty("status").GetString() == "failed"), "two failed deliveries");

        Assert.All(deliveries!, d => Assert.Equal((5, 503), (d.GetProperty("attempts").GetInt32(), d.GetProperty("lastStatusCode").GetInt32())));
        Assert.Empty(_receiver.Received);
    }
}
