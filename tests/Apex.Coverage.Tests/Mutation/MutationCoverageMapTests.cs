using System.Net.Http.Json;
using System.Text.Json;
using Apex.Coverage.Web.CodeCoverage;
using Apex.Coverage.Web.Data;
using Apex.Coverage.Web.Results;
using Apex.Coverage.Web.Runs;
using Microsoft.EntityFrameworkCore;

namespace Apex.Coverage.Tests.Mutation;

/// <summary>
/// A mutation run of an item the coverage map has (docs/adr/0251): the real Stryker over the
/// fixture library mutates only the file item 2's coverage run executed (Pricing.cs), not the
/// rest of its category's modules (Shipping.cs, whose four mutants the module scope reports as
/// no coverage). The map is the dashboard's own (GET /api/v1/coverage-map reads it from the
/// stored coverage run); how coverage runs make it is issue 16's (Selection/ChangeImpactTests).
/// </summary>
[Collection(MutationFixtureCollection.Name)]
public sealed class MutationCoverageMapTests : IAsyncLifetime
{
    private MutationFixtureHost _fixture = null!;
    private HttpClient _client = null!;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync()
    {
        _fixture = await MutationFixtureHost.StartAsync();
        _client = _fixture.Client;
        await SeedAsync(_fixture.Databases);
    }

    public ValueTask DisposeAsync() => _fixture.DisposeAsync();

    /// <summary>Item 2's test as discovery knows it, and a finished coverage run of item 2 alone that executed Pricing.cs.</summary>
    private static async Task SeedAsync(IDbContextFactory<CoverageDbContext> databases)
    {
        await using var db = await databases.CreateDbContextAsync(Ct);
        db.DiscoveredTests.Add(new DiscoveredTest
        {
            SuiteName = "L2", FullyQualifiedName = MutationFixtureHost.BulkTest, DisplayName = MutationFixtureHost.BulkTest, PlanItems = "2", TraitsJson = "{}",
            FirstSeenAt = DateTimeOffset.UnixEpoch, LastSeenAt = DateTimeOffset.UnixEpoch,
        });
        var at = DateTimeOffset.UtcNow;
        var run = new TestRun
        {
            SuiteName = "L2", Source = RunSource.Api, Status = RunStatus.Passed, CollectCoverage = true, CreatedAt = at, StartedAt = at, FinishedAt = at,
            SelectionJson = new StoredSelection(new RunSelection(PlanItems: [2]), [2], null).ToJson(), Total = 1, Passed = 1,
        };
        db.TestRuns.Add(run);
        await db.SaveChangesAsync(Ct);
        db.RunCodeCoverage.Add(new RunCodeCoverage { RunId = run.Id, Target = "Apex.Fixture.Mutation", RecordedAt = at, LinesCovered = 2, LinesValid = 3 });
        db.FileCodeCoverage.Add(new FileCodeCoverage { RunId = run.Id, Module = "Pricing", Path = "Pricing/Pricing.cs", LinesCovered = 2, LinesValid = 3, UncoveredLines = "6" });
        await db.SaveChangesAsync(Ct);
    }

    [Fact]
    public async Task Run_MutatesOnlyTheFilesTheItemsTestsExecuted_WhenTheCoverageMapHasTheItem()
    {
        var map = await _client.GetFromJsonAsync<JsonElement>("/api/v1/coverage-map?suite=L2", Ct);
        var id = await _fixture.StartRunAsync(2);
        var run = await _fixture.WaitForRunAsync(id, r => r.GetProperty("status").GetString() is not ("queued" or "running"), $"mutation run {id}", 900);

        Assert.Equal(["Pricing/Pricing/Pricing.cs"], map[0].GetProperty("files").EnumerateArray().Select(f => f.GetString()));
        Assert.True(run.GetProperty("status").GetString() == "completed", run.ToString());
        Assert.Equal(["**/Pricing/Pricing.cs"], run.GetProperty("mutate").EnumerateArray().Select(m => m.GetString()));
        Assert.Equal(["Pricing.cs"], run.GetProperty("files").EnumerateArray().Select(f => Path.GetFileName(f.GetProperty("path").GetString())));
        Assert.Equal((1, 1, 1, 0), (run.GetProperty("killed").GetInt32(), run.GetProperty("survived").GetInt32(),
            run.GetProperty("noCoverage").GetInt32(), run.GetProperty("timeout").GetInt32()));
    }
}
