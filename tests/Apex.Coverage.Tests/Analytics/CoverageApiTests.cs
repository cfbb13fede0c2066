using Apex.Coverage.Web.Access;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Apex.Coverage.Tests.Fixtures;
using Apex.Coverage.Web.Analytics;
using Apex.Coverage.Web.Data;
using Apex.Coverage.Web.Plan;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using static Apex.Coverage.Tests.Analytics.History;

namespace Apex.Coverage.Tests.Analytics;

public sealed class CoverageApiTests : IAsyncLifetime
{
    private const string AuthTest = "Apex.Integration.Auth.OAuthFlowTests.CodeExchange_IssuesJwt";
    private const string SamlTest = "Apex.Integration.Auth.SamlTests.Assertion_IsValidated";
    private readonly PlanHostFactory _factory = new();
    private HttpClient _client = null!;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private IDbContextFactory<CoverageDbContext> Databases => _factory.Services.GetRequiredService<IDbContextFactory<CoverageDbContext>>();

    public async ValueTask InitializeAsync() => _client = await _factory.CreateSignedInClientAsync(DashboardRoles.Viewer);

    public async ValueTask DisposeAsync()
    {
        _client.Dispose();
        await _factory.DisposeAsync();
    }

    private async Task<JsonElement> CoverageAsync() => await _client.GetFromJsonAsync<JsonElement>("/api/v1/coverage", Ct);

    private static JsonElement Item(JsonElement coverage, int number) =>
        coverage.GetProperty("items").EnumerateArray().Single(i => i.GetProperty("number").GetInt32() == number);

    private static JsonElement Category(JsonElement coverage, string slug) =>
        coverage.GetProperty("categories").EnumerateArray().Single(c => c.GetProperty("slug").GetString() == slug);

    [Fact]
    public async Task GetCoverage_ReturnsContractShapeWithEverythingAtRisk_WhenNoTestIsKnown()
    {
        var json = await CoverageAsync();

        Assert.Equal(["totals", "categories", "items", "standards"], json.EnumerateObject().Select(p => p.Name));
        var totals = json.GetProperty("totals");
        Assert.Equal(["items", "implemented", "passing", "failing", "flaky", "notRun", "mrr", "protectedMrr", "mrrAtRisk",
            "flakyRate", "lastSuiteSeconds", "codeLineRate"], totals.EnumerateObject().Select(p => p.Name));
        Assert.Equal((100, 0, 870000m, 0m, 870000m), (totals.GetProperty("items").GetInt32(), totals.GetProperty("implemented").GetInt32(),
            totals.GetProperty("mrr").GetDecimal(), totals.GetProperty("protectedMrr").GetDecimal(), totals.GetProperty("mrrAtRisk").GetDecimal()));
        Assert.Equal(JsonValueKind.Null, totals.GetProperty("codeLineRate").ValueKind);
        Assert.Equal(8, json.GetProperty("categories").GetArrayLength());
        Assert.Equal(["name", "slug", "items", "implemented", "passing", "failing", "flaky", "notRun", "mrr", "protectedMrr", "mrrAtRisk",
            "flakyRate", "lastSuiteSeconds", "codeLineRate", "standards"], json.GetProperty("categories")[0].EnumerateObject().Select(p => p.Name));
        Assert.Equal(["number", "status", "tests", "standards"], Item(json, 1).EnumerateObject().Select(p => p.Name));
        Assert.Equal("not-implemented", Item(json, 1).GetProperty("status").GetString());
    }

    [Fact]
    public async Task GetCoverage_ProtectsItemsBvjShare_WhenItsTestPasses()
    {
        await DiscoverAsync(Databases, AuthTest, "1");
        await DiscoverAsync(Databases, SamlTest, "2");
        await RunAsync(Databases, "c1", (AuthTest, P), (SamlTest, F));

        var json = await CoverageAsync();

        var plan = _factory.Services.GetRequiredService<PlanCatalog>().Current!.Document;
        var expected = Math.Round(CoverageCalculator.ItemShares(plan)[1], 2);
        var auth = Category(json, "authentication-authorization");
        Assert.Equal((2, 1, 1, expected), (auth.GetProperty("implemented").GetInt32(), auth.GetProperty("passing").GetInt32(),
            auth.GetProperty("failing").GetInt32(), auth.GetProperty("protectedMrr").GetDecimal()));
        Assert.Equal(("passing", "failing"), (Item(json, 1).GetProperty("status").GetString(), Item(json, 2).GetProperty("status").GetString()));
        Assert.Equal(AuthTest, Item(json, 1).GetProperty("tests")[0].GetProperty("fullyQualifiedName").GetString());
        Assert.Equal(42d, json.GetProperty("totals").GetProperty("lastSuiteSeconds").GetDouble());
    }

    [Fact]
    public async Task GetCoverage_ReportsFlakyItem_WhenTestPassedAndFailedOnOneCommit()
    {
        await DiscoverAsync(Databases, AuthTest, "1");
        await RunAsync(Databases, "same", (AuthTest, F));
        await RunAsync(Databases, "same", (AuthTest, P));

        var json = await CoverageAsync();

        Assert.Equal("flaky", Item(json, 1).GetProperty("status").GetString());
        Assert.True(Item(json, 1).GetProperty("tests")[0].GetProperty("flaky").GetBoolean());
        Assert.Equal((1, 1.0), (json.GetProperty("totals").GetProperty("flaky").GetInt32(), json.GetProperty("totals").GetProperty("flakyRate").GetDouble()));
    }

    [Fact]
    public async Task GetCoverage_StopsCountingFailure_WhenFailingTestIsQuarantinedAndCountsAgainWhenReleased()
    {
        await DiscoverAsync(Databases, AuthTest, "1");
        await RunAsync(Databases, "c1", (AuthTest, F));
        var book = _factory.Services.GetRequiredService<QuarantineBook>();

        var done = await book.QuarantineAsync(AuthTest, "Times out on the shared runner", "dana");
        var quarantined = await CoverageAsync();
        await book.ReleaseAsync(AuthTest, "dana");
        var released = await CoverageAsync();

        Assert.True(done.Done);
        Assert.Equal(("quarantined", 0), (Item(quarantined, 1).GetProperty("status").GetString(), quarantined.GetProperty("totals").GetProperty("failing").GetInt32()));
        Assert.Equal(("failing", 1), (Item(released, 1).GetProperty("status").GetString(), released.GetProperty("totals").GetProperty("failing").GetInt32()));
        var history = Assert.Single(await book.ListAsync(Ct));
        Assert.Equal(("Times out on the shared runner", "dana", false), (history.Reason, history.ReleasedBy, history.Active));
    }

    [Fact]
    public async Task QuarantineAsync_Refuses_WhenReasonIsMissingOrTestIsAlreadyQuarantined()
    {
        var book = _factory.Services.GetRequiredService<QuarantineBook>();

        var noReason = await book.QuarantineAsync(AuthTest, " ", "dana");
        await book.QuarantineAsync(AuthTest, "flaky", "dana");
        var twice = await book.QuarantineAsync(AuthTest, "again", "lee");

        Assert.False(noReason.Done);
        Assert.Contains("reason", noReason.Problem, StringComparison.Ordinal);
        Assert.False(twice.Done);
        Assert.Contains("already quarantined", twice.Problem, StringComparison.Ordinal);
    }

    [Fact]
    public async Task GetBadge_ServesSvgWithProtectedPercentage_WhenOneItemIsProtected()
    {
        await DiscoverAsync(Databases, AuthTest, "1");
        await RunAsync(Databases, "c1", (AuthTest, P));
        var plan = _factory.Services.GetRequiredService<PlanCatalog>().Current!.Document;
        var percent = Math.Round(CoverageCalculator.ItemShares(plan)[1] / 870000m * 100m, 0);

        using var response = await _client.GetAsync("/badge/coverage.svg", Ct);
        var svg = await response.Content.ReadAsStringAsync(Ct);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("image/svg+xml", response.Content.Headers.ContentType?.MediaType);
        Assert.Contains($"protected MRR: {percent}%", svg, StringComparison.Ordinal);
        Assert.StartsWith("<svg", svg, StringComparison.Ordinal);
    }
}

public sealed class CoverageApiWithoutPlanTests
{
    [Fact]
    public async Task GetCoverage_ReturnsProblemDetails_WhenNoPlanWasImported()
    {
        await using var factory = new PlanHostFactory(planFixture: "binary.bin");
        using var client = await factory.CreateSignedInClientAsync(DashboardRoles.Viewer);

        using var response = await client.GetAsync("/api/v1/coverage", TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
    }
}
