using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;

namespace Apex.Coverage.Tests.Hostile;

/// <summary>
/// Issue 15's coverage rewrite: one upload claimed PlanId 1..100 for a test and moved the dashboard
/// to 100/100 items; another erased a real test's mapping. The suite's build is the one authority.
/// </summary>
public sealed class MappingAuthorityTests(HostileHost host) : IClassFixture<HostileHost>
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static readonly string AllItems = string.Join(",", Enumerable.Range(1, 100));

    [Fact]
    public async Task PostResults_KeepsDiscoveredMappingAndRecordsConflict_WhenUploadClaimsEveryItem()
    {
        var suite = HostileHost.NewSuite();
        await host.DiscoverAsync(suite, "Apex.Integration.Auth.Login.Works", "7");

        using var response = await host.UploadAsync(suite, HostileHost.JUnit(
            HostileHost.Case("Apex.Integration.Auth.Login", "Works", HostileHost.PlanId(AllItems))), Ct);

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var runId = (await response.Content.ReadFromJsonAsync<JsonElement>(Ct)).GetProperty("id").GetInt64();
        await using var db = host.Factory.CreateDbContext();
        var test = await db.DiscoveredTests.SingleAsync(t => t.SuiteName == suite, Ct);
        Assert.Equal(("7", runId), (test.PlanItems, test.ClaimedByRunId));
        Assert.StartsWith("1,2,3,", test.ClaimedPlanItems, StringComparison.Ordinal);
        var conflicts = await host.Client.GetFromJsonAsync<JsonElement>("/api/v1/mapping-conflicts", Ct);
        var conflict = Assert.Single(conflicts.EnumerateArray(), c => c.GetProperty("suite").GetString() == suite);
        Assert.Equal([7], conflict.GetProperty("discoveredPlanItems").EnumerateArray().Select(e => e.GetInt32()));
        // The claim is kept as far as the column holds it (200 characters: items 1 to 70).
        Assert.Equal(Enumerable.Range(1, 70), conflict.GetProperty("claimedPlanItems").EnumerateArray().Select(e => e.GetInt32()));
    }

    [Fact]
    public async Task PostResults_KeepsDiscoveredMapping_WhenUploadNamesTestWithoutPlanId()
    {
        var suite = HostileHost.NewSuite();
        await host.DiscoverAsync(suite, "Apex.Integration.Billing.Invoice.Charges", "91");

        using var response = await host.UploadAsync(suite, HostileHost.JUnit(HostileHost.Case("Apex.Integration.Billing.Invoice", "Charges",
            """<properties><property name="Category" value="smoke" /></properties>""")), Ct);

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        await using var db = host.Factory.CreateDbContext();
        var test = await db.DiscoveredTests.SingleAsync(t => t.SuiteName == suite, Ct);
        Assert.Equal(("91", ""), (test.PlanItems, test.ClaimedPlanItems));
        Assert.Contains("91", test.TraitsJson, StringComparison.Ordinal);
    }

    [Fact]
    public async Task PostResults_RecordsNoConflict_WhenUploadCarriesNoTraits()
    {
        var suite = HostileHost.NewSuite();
        await host.DiscoverAsync(suite, "Apex.Integration.Cache.Reads.Hit", "40");

        using var response = await host.UploadAsync(suite, HostileHost.JUnit(HostileHost.Case("Apex.Integration.Cache.Reads", "Hit")), Ct);

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        await using var db = host.Factory.CreateDbContext();
        var test = await db.DiscoveredTests.SingleAsync(t => t.SuiteName == suite, Ct);
        Assert.Equal(("40", null), (test.PlanItems, test.ClaimedPlanItems));
    }

    [Fact]
    public async Task PostResults_MapsTestTheSuiteDoesNotKnow_WhenUploadCarriesPlanId()
    {
        var suite = HostileHost.NewSuite();

        using var first = await host.UploadAsync(suite, HostileHost.JUnit(HostileHost.Case("Ci.Only", "Smoke", HostileHost.PlanId("3"))), Ct);
        using var second = await host.UploadAsync(suite, HostileHost.JUnit(HostileHost.Case("Ci.Only", "Smoke", HostileHost.PlanId("4"))), Ct);

        Assert.Equal((HttpStatusCode.Created, HttpStatusCode.Created), (first.StatusCode, second.StatusCode));
        await using var db = host.Factory.CreateDbContext();
        var test = await db.DiscoveredTests.SingleAsync(t => t.SuiteName == suite, Ct);
        // Not discovered: the uploads are its only source, and the latest one maps it.
        Assert.Equal(("4", false, null), (test.PlanItems, test.MappedByDiscovery, test.ClaimedPlanItems));
    }

    [Fact]
    public async Task CoveragePage_ShowsConflict_WhenUploadContradictsDiscovery()
    {
        var suite = HostileHost.NewSuite();
        await host.DiscoverAsync(suite, "Apex.Integration.Agents.Plan.Runs", "30");
        using var response = await host.UploadAsync(suite, HostileHost.JUnit(HostileHost.Case("Apex.Integration.Agents.Plan", "Runs", HostileHost.PlanId("31"))), Ct);

        var page = await host.Client.GetStringAsync("/", Ct);

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        Assert.Contains("data-test=\"Apex.Integration.Agents.Plan.Runs\"", page, StringComparison.Ordinal);
        Assert.Contains("#31", page, StringComparison.Ordinal);
    }
}
