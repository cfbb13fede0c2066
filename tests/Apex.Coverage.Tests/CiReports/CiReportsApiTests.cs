using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Apex.Coverage.Tests.Fixtures;
using Apex.Coverage.Web.Analytics;
using Apex.Coverage.Web.CiReports;
using Apex.Coverage.Web.Data;
using Apex.Coverage.Web.Plan;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Apex.Coverage.Tests.CiReports;

/// <summary>
/// The CI and pull-request answers through the real host over stored CI runs: main goes green
/// (a1), breaks item 1's test (b2), stays red (c3); a feature branch breaks item 2's test.
/// </summary>
public sealed class CiReportsApiTests : IAsyncLifetime
{
    private const string Auth = "Apex.L2.AuthTests.SignsIn";
    private const string Other = "Apex.L2.AuthTests.Refreshes";
    private readonly PlanHostFactory _host = new();
    private long _green, _broke, _stillRed, _feature;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync()
    {
        var databases = _host.Services.GetRequiredService<IDbContextFactory<CoverageDbContext>>();
        await StoredRuns.DiscoverAsync(databases, Auth, "1");
        await StoredRuns.DiscoverAsync(databases, Other, "2");
        _green = await StoredRuns.RunAsync(databases, "main", "a1", (Auth, "P"), (Other, "P"));
        _broke = await StoredRuns.RunAsync(databases, "main", "b2", (Auth, "F"), (Other, "P"));
        _stillRed = await StoredRuns.RunAsync(databases, "main", "c3", (Auth, "F"), (Other, "P"));
        _feature = await StoredRuns.RunAsync(databases, "feature/x", "f9", (Auth, "F"), (Other, "F"));
    }

    public async ValueTask DisposeAsync() => await _host.DisposeAsync();

    /// <summary>A client with a live API token: every read of the API takes one (or a signed-in person).</summary>
    private async Task<HttpClient> ClientAsync()
    {
        var token = await _host.Services.GetRequiredService<Apex.Coverage.Web.ApiTokens.ApiTokenStore>().CreateAsync($"ci-{Guid.NewGuid():N}"[..16], Ct);
        var client = _host.CreateClient();
        client.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", token.Token);
        return client;
    }

    private decimal Share(int item) => CoverageCalculator.ItemShares(_host.Services.GetRequiredService<PlanCatalog>().Current!.Document)[item];

    [Fact]
    public async Task SummaryMd_ReportsNewFailureAndTheProtectedMrrItCost_WhenRunBreaksATest()
    {
        using var client = await ClientAsync();

        using var response = await client.GetAsync($"/api/v1/runs/{_broke}/summary.md", Ct);
        var markdown = await response.Content.ReadAsStringAsync(Ct);

        Assert.Equal("text/markdown", response.Content.Headers.ContentType?.MediaType);
        Assert.Contains($"run [#{_broke}](http://localhost/runs/{_broke})", markdown, StringComparison.Ordinal);
        Assert.Contains("### New failures (1)", markdown, StringComparison.Ordinal);
        Assert.Contains($"[`{Auth}`](http://localhost/coverage/tests?name={Auth}&suite=l2) (#1 {RunSummary.Money(Share(1))})", markdown, StringComparison.Ordinal);
        Assert.Contains($"failing since `b2` ([run #{_broke}]", markdown, StringComparison.Ordinal);
        Assert.Contains("last green `a1`", markdown, StringComparison.Ordinal);
        Assert.Contains($"| −{RunSummary.Money(Share(1))} |", markdown, StringComparison.Ordinal);
        Assert.DoesNotContain("### Fixed", markdown, StringComparison.Ordinal);
    }

    [Fact]
    public async Task SummaryMd_ListsStillFailingWithNoMrrChange_WhenTheTestWasAlreadyRed()
    {
        using var client = await ClientAsync();

        var markdown = await client.GetStringAsync($"/api/v1/runs/{_stillRed}/summary.md", Ct);

        Assert.Contains("### Still failing (1)", markdown, StringComparison.Ordinal);
        Assert.DoesNotContain("### New failures", markdown, StringComparison.Ordinal);
        Assert.Contains("failing since `b2`", markdown, StringComparison.Ordinal);
        Assert.Contains("| ±$0 |", markdown, StringComparison.Ordinal);
    }

    [Fact]
    public async Task FirstFailure_AnswersFirstRedAndLastGreenOnTheBranch_WhenTestFailsThere()
    {
        using var client = await ClientAsync();

        var main = await client.GetFromJsonAsync<JsonElement>($"/api/v1/tests/first-failure?suite=l2&name={Auth}&branch=main", Ct);
        using var otherOnMain = await client.GetAsync($"/api/v1/tests/first-failure?suite=l2&name={Other}&branch=main", Ct);
        var feature = await client.GetFromJsonAsync<JsonElement>($"/api/v1/tests/first-failure?suite=l2&name={Other}&branch=feature/x", Ct);

        Assert.Equal((_broke, "b2"), (main.GetProperty("firstRed").GetProperty("runId").GetInt64(), main.GetProperty("firstRed").GetProperty("commit").GetString()));
        Assert.Equal((_green, "a1"), (main.GetProperty("lastGreen").GetProperty("runId").GetInt64(), main.GetProperty("lastGreen").GetProperty("commit").GetString()));
        Assert.Equal(2, main.GetProperty("redRuns").GetInt32());
        Assert.Equal(HttpStatusCode.NotFound, otherOnMain.StatusCode);
        Assert.Equal(_feature, feature.GetProperty("firstRed").GetProperty("runId").GetInt64());
        Assert.Equal(JsonValueKind.Null, feature.GetProperty("lastGreen").ValueKind);
    }

    [Fact]
    public async Task ExportCsv_HasOneRowPerItemAndPerTest_WithTheirStatus()
    {
        using var client = await ClientAsync();

        using var coverage = await client.GetAsync("/api/v1/export/coverage.csv", Ct);
        var items = (await coverage.Content.ReadAsStringAsync(Ct)).Split("\r\n", StringSplitOptions.RemoveEmptyEntries);
        var tests = (await client.GetStringAsync("/api/v1/export/tests.csv", Ct)).Split("\r\n", StringSplitOptions.RemoveEmptyEntries);
        var plan = _host.Services.GetRequiredService<PlanCatalog>().Current!.Document;

        Assert.Equal("text/csv", coverage.Content.Headers.ContentType?.MediaType);
        Assert.Equal(plan.Items.Count + 1, items.Length);
        Assert.Equal("number,name,category,status,bvj_mrr,mrr,protected_mrr,tests", items[0]);
        Assert.StartsWith("1,", items[1], StringComparison.Ordinal);
        Assert.Contains(",failing,", items[1], StringComparison.Ordinal);
        Assert.Equal(3, tests.Length);
        Assert.StartsWith($"l2,{Auth},1,failing,failed,", tests.Single(t => t.Contains(Auth, StringComparison.Ordinal)), StringComparison.Ordinal);
    }

    [Fact]
    public async Task ProtectedMrrBadge_ShowsDollarsOfTheTotal_BesideThePercentBadge()
    {
        using var client = await ClientAsync();

        using var response = await client.GetAsync("/badge/protected-mrr.svg", Ct);
        var svg = await response.Content.ReadAsStringAsync(Ct);

        Assert.Equal("image/svg+xml", response.Content.Headers.ContentType?.MediaType);
        Assert.Contains("/ $870K", svg, StringComparison.Ordinal);
        Assert.Contains($"protected MRR: {RunSummary.Money(0m)} / $870K", svg, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("plain", "plain")]
    [InlineData("a,b", "\"a,b\"")]
    [InlineData("say \"hi\"", "\"say \"\"hi\"\"\"")]
    [InlineData("=HYPERLINK(1)", "'=HYPERLINK(1)")]
    public void Field_QuotesAndNeutralisesFormulas_WhenTextNeedsIt(string text, string expected) =>
        Assert.Equal(expected, CsvExport.Field(text));
}
