using System.Net.Http.Json;
using System.Text.Json;
using Apex.Coverage.Web.Data;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using static Apex.Coverage.Tests.Selection.L2CoverageMapHost;

namespace Apex.Coverage.Tests.Selection;

/// <summary>
/// Change impact on the real L2 suite (issue 16, point 3): the coverage map the job made of item 98
/// (payment webhooks, Business-Critical Flows) and items 13 and 14 (SAML and two-factor sign-in,
/// Authentication), then changed files posted as a list or a diff. The files asserted on are ones
/// those items' tests really execute in src/Apex.Platform; the last test shows the matching follows
/// what ran, not folder names: a file every item executes selects them all.
/// </summary>
[Collection(L2CoverageMapCollection.Name)]
public sealed class RealSuiteChangeImpactTests(L2CoverageMapHost host)
{
    private const string WebhookProcessor = "src/Apex.Platform/Billing/PaymentWebhookProcessor.cs";
    private const string Totp = "src/Apex.Platform/Auth/TwoFactor/Totp.cs";
    private const string TokenIssuer = "src/Apex.Platform/Auth/AccessTokenIssuer.cs";

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task CoverageMap_HoldsEachItemsOwnPlatformFiles_ForTheRealSuite()
    {
        var map = await host.Client.GetFromJsonAsync<List<JsonElement>>($"/api/v1/coverage-map?suite={Suite}", Ct);
        var files = map!.ToDictionary(i => i.GetProperty("item").GetInt32(), i => i.GetProperty("files").EnumerateArray().Select(f => f.GetString()!).ToList());

        Assert.Equal([SamlSso, TwoFactor, PaymentWebhooks], files.Keys.Order());
        Assert.Contains(files[PaymentWebhooks], f => f.EndsWith("/Billing/PaymentWebhookProcessor.cs", StringComparison.Ordinal));
        Assert.DoesNotContain(files[PaymentWebhooks], f => f.Contains("/TwoFactor/", StringComparison.Ordinal));
        Assert.Contains(files[TwoFactor], f => f.EndsWith("/TwoFactor/Totp.cs", StringComparison.Ordinal));
        Assert.Contains(files[SamlSso], f => f.Contains("/Saml/", StringComparison.Ordinal));
        Assert.All(new[] { SamlSso, TwoFactor }, item => Assert.DoesNotContain(files[item], f => f.Contains("Billing/", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task CoverageMapRuns_MeasuredApexPlatform_WithoutACoverageNote()
    {
        await using var db = host.Factory.Services.GetRequiredService<IDbContextFactory<CoverageDbContext>>().CreateDbContext();
        var ids = host.MapRuns.Values.ToList();
        var measured = await db.RunCodeCoverage.AsNoTracking().Where(c => ids.Contains(c.RunId)).ToListAsync(Ct);

        Assert.Equal(ids.Order(), measured.Select(c => c.RunId).Order());
        Assert.All(measured, c => Assert.Equal(("Apex.Platform", (string?)null), (c.Target, c.Note)));
        Assert.All(measured, c => Assert.InRange(c.LinesCovered, 1, c.LinesValid));
    }

    [Fact]
    public async Task PostSelection_SelectsTheBillingItemAndNotTheAuthOnes_WhenABillingFileChanges()
    {
        var answer = await SelectAsync(new { suite = Suite, budget = "01:00:00", files = new[] { WebhookProcessor } });

        var item = Assert.Single(answer.GetProperty("changedItems").EnumerateArray());
        Assert.Equal((PaymentWebhooks, WebhookProcessor), (item.GetProperty("item").GetInt32(), item.GetProperty("because")[0].GetString()));
        AssertChangedTestsAreThoseOf(answer, PaymentWebhooks);
    }

    [Fact]
    public async Task PostSelection_SelectsTheTwoFactorItemAndNotTheBillingOne_WhenADiffChangesAnAuthFile()
    {
        var diff = $"diff --git a/{Totp} b/{Totp}\n--- a/{Totp}\n+++ b/{Totp}\n@@ -1 +1 @@\n-a\n+b\n";

        var answer = await SelectAsync(new { suite = Suite, budget = "01:00:00", diff });

        var item = Assert.Single(answer.GetProperty("changedItems").EnumerateArray());
        Assert.Equal((TwoFactor, Totp), (item.GetProperty("item").GetInt32(), item.GetProperty("because")[0].GetString()));
        AssertChangedTestsAreThoseOf(answer, TwoFactor);
    }

    [Fact]
    public async Task PostSelection_SelectsEveryItemThatExecutedIt_WhenASharedAuthFileChanges()
    {
        var answer = await SelectAsync(new { suite = Suite, budget = "01:00:00", files = new[] { TokenIssuer } });

        var items = answer.GetProperty("changedItems").EnumerateArray().Select(i => i.GetProperty("item").GetInt32()).Order();
        Assert.Equal([SamlSso, TwoFactor, PaymentWebhooks], items);
    }

    private async Task<JsonElement> SelectAsync(object request)
    {
        using var response = await host.Client.PostAsJsonAsync("/api/v1/selection", request, Ct);
        Assert.True(response.IsSuccessStatusCode, await response.Content.ReadAsStringAsync(Ct));
        return await response.Content.ReadFromJsonAsync<JsonElement>(Ct);
    }

    // Every test of the changed item, and only those, is marked changed among all of the suite's tests.
    private static void AssertChangedTestsAreThoseOf(JsonElement answer, int item)
    {
        var selection = answer.GetProperty("selection");
        var tests = selection.GetProperty("selected").EnumerateArray().Concat(selection.GetProperty("skipped").EnumerateArray())
            .Select(t => (Items: t.GetProperty("planItems").EnumerateArray().Select(i => i.GetInt32()).ToList(),
                Changed: t.GetProperty("terms").GetProperty("changed").GetBoolean()))
            .ToList();
        Assert.Contains(tests, t => t.Items.Contains(item));
        Assert.All(tests, t => Assert.Equal(t.Items.Contains(item), t.Changed));
        Assert.Contains(tests, t => t.Items.Contains(item == TwoFactor ? PaymentWebhooks : TwoFactor) && !t.Changed);
    }
}
