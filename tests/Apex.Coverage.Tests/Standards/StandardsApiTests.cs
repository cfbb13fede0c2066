using System.Net.Http.Json;
using System.Text.Json;
using Apex.Coverage.Tests.Fixtures;
using Microsoft.AspNetCore.Hosting;

namespace Apex.Coverage.Tests.Standards;

/// <summary>GET /api/v1/coverage carries the standards check of the configured suite's source.</summary>
public sealed class StandardsApiTests : IAsyncLifetime
{
    private readonly StandardsSource _source = new();
    private PlanHostFactory _factory = null!;
    private HttpClient _client = null!;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync()
    {
        _factory = new PlanHostFactory();
        var host = _factory.WithWebHostBuilder(b => b
            .UseSetting("Suites:Std:Project", _source.Project)
            .UseSetting("Suites:Std:Assembly", Path.Combine(_source.Root, "suite", "bin", "Std.dll"))
            .UseSetting("Standards:Suite", "Std")
            .UseSetting("ContentRoot", _source.Root));
        _client = await host.CreateSignedInClientAsync(Web.Access.DashboardRoles.Viewer);
    }

    public async ValueTask DisposeAsync()
    {
        _client.Dispose();
        await _factory.DisposeAsync();
        _source.Dispose();
    }

    private async Task<JsonElement> CoverageAsync() => await _client.GetFromJsonAsync<JsonElement>("/api/v1/coverage", Ct);

    private static JsonElement Part(JsonElement coverage, string list, string key, string value) =>
        coverage.GetProperty(list).EnumerateArray().Single(e => e.GetProperty(key).ToString() == value).GetProperty("standards");

    private static string[] Rules(JsonElement part) => [.. part.GetProperty("findings").EnumerateArray().Select(f => f.GetProperty("rule").GetString()!)];

    [Fact]
    public async Task GetCoverage_ReportsStandardsFindingsPerItemCategoryAndSuite_FromThePlansRules()
    {
        var json = await CoverageAsync();

        var standards = json.GetProperty("standards");
        Assert.Equal(("Std", 2, 2), (standards.GetProperty("suite").GetString(), standards.GetProperty("testClasses").GetInt32(), standards.GetProperty("findingCount").GetInt32()));
        Assert.Equal(["Segment", "Business Goal", "Value Impact", "Strategic Impact"],
            standards.GetProperty("rules").GetProperty("bvjFields").EnumerateArray().Select(f => f.GetString()));
        var itemOne = Part(json, "items", "number", "1");
        Assert.Equal([StandardRuleNames.Bvj], Rules(itemOne));
        Assert.Contains("Strategic Impact", itemOne.GetProperty("findings")[0].GetProperty("message").GetString());
        Assert.Equal("suite/Auth/ItemOneTests.cs", itemOne.GetProperty("findings")[0].GetProperty("file").GetString());
        Assert.Empty(Rules(Part(json, "items", "number", "2")));
        Assert.Equal(["ItemTwoTests"], Part(json, "items", "number", "2").GetProperty("testClasses").EnumerateArray().Select(c => c.GetString()));
        Assert.Equal([StandardRuleNames.Bvj], Rules(Part(json, "categories", "slug", "authentication-authorization")));
        Assert.Contains(standards.GetProperty("findings").EnumerateArray(), f => f.GetProperty("rule").GetString() == StandardRuleNames.Mocking
            && f.GetProperty("file").GetString() == "suite/Std.csproj");
    }

    [Fact]
    public async Task GetCoverage_ChecksAgain_WhenTheSuitesSourceChanges()
    {
        Assert.Single(Rules(Part(await CoverageAsync(), "items", "number", "1")));

        _source.Write("suite/Auth/ItemOneTests.cs", $"[PlanItem(1)]\n{StandardsSource.Bvj}\npublic sealed class ItemOneTests {{ }}\n");

        Assert.Empty(Rules(Part(await CoverageAsync(), "items", "number", "1")));
    }
}

internal static class StandardRuleNames
{
    public const string Bvj = "bvj";
    public const string Mocking = "mocking";
}
