using Apex.Coverage.Tests.Fixtures;
using Apex.Coverage.Web.Plan;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging.Abstractions;

namespace Apex.Coverage.Tests.Plan;

public sealed class PlanImporterTests : IAsyncLifetime
{
    private TestDatabase _database = null!;
    private readonly PlanCatalog _catalog = new();
    private PlanImporter _importer = null!;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync()
    {
        _database = await TestDatabase.CreateAsync();
        _importer = new PlanImporter(_database, _catalog, TimeProvider.System, NullLogger<PlanImporter>.Instance);
    }

    public ValueTask DisposeAsync() => _database.DisposeAsync();

    private Task<PlanImportResult> ImportTextAsync(string text) =>
        _importer.ImportAsync(System.Text.Encoding.UTF8.GetBytes(text), "test", Ct);

    [Fact]
    public async Task ImportAsync_CreatesVersionOne_WhenDatabaseIsEmpty()
    {
        var result = await _importer.ImportAsync(PlanFixtures.Bytes(PlanFixtures.RealPlan), "real", Ct);

        Assert.Equal((PlanImportOutcome.Created, 1), (result.Outcome, result.Version!.Value));
        Assert.Equal(100, _catalog.Current!.Document.Items.Count);
        await using var db = _database.CreateDbContext();
        var stored = await db.PlanVersions.SingleAsync(Ct);
        Assert.Equal((1, 100, 870_000m), (stored.Number, stored.ItemCount, stored.TotalMrr));
    }

    [Fact]
    public async Task ImportAsync_CreatesNoVersion_WhenContentIsIdentical()
    {
        await _importer.ImportAsync(PlanFixtures.Bytes(PlanFixtures.RealPlan), "real", Ct);

        var again = await _importer.ImportAsync(PlanFixtures.Bytes(PlanFixtures.RealPlan), "real", Ct);

        Assert.Equal((PlanImportOutcome.Unchanged, 1), (again.Outcome, again.Version!.Value));
        await using var db = _database.CreateDbContext();
        Assert.Equal(1, await db.PlanVersions.CountAsync(Ct));
    }

    [Fact]
    public async Task ImportAsync_RecordsEachKindOfChange_WhenPlanIsEdited()
    {
        var original = PlanFixtures.Text(PlanFixtures.SecondPlan);
        await ImportTextAsync(original);
        var edited = original
            .Replace("#### 3. Partial Refund Flow", "#### 3. Partial Refund Journey", StringComparison.Ordinal)
            .Replace("Lost carts cost $50K MRR", "Lost carts cost $60K MRR", StringComparison.Ordinal)
            .Replace("- **Components:** Email sender, template renderer", "- **Components:** Email sender", StringComparison.Ordinal)
            .Replace("- **Scenarios:** Dispatched, delivered", "- **Scenarios:** Dispatched, delivered, returned", StringComparison.Ordinal)
            .Replace("| Notifications | 3 | $100K | P2 |", "| Notifications | 3 | $120K | P2 |", StringComparison.Ordinal)
            .Replace("#### 12. Webhook Retries", "#### 13. Webhook Retries", StringComparison.Ordinal);

        var result = await ImportTextAsync(edited);

        Assert.Equal((PlanImportOutcome.Created, 2), (result.Outcome, result.Version!.Value));
        var kinds = result.Changes.Select(c => (c.Kind, c.ItemNumber)).ToList();
        Assert.Contains((PlanChangeKind.ItemRenamed, 3), kinds);
        Assert.Contains((PlanChangeKind.BvjChanged, 9), kinds);
        Assert.Contains((PlanChangeKind.ComponentsChanged, 10), kinds);
        Assert.Contains((PlanChangeKind.ScenariosChanged, 11), kinds);
        Assert.Contains((PlanChangeKind.CategoryMrrChanged, (int?)null), kinds);
        Assert.Contains((PlanChangeKind.ItemAdded, 13), kinds);
        Assert.Contains((PlanChangeKind.ItemRemoved, 12), kinds);
        Assert.Equal(7, kinds.Count);
    }

    [Fact]
    public async Task ImportAsync_StoresChangesWithVersion_WhenPlanIsEdited()
    {
        var original = PlanFixtures.Text(PlanFixtures.SecondPlan);
        await ImportTextAsync(original);
        await ImportTextAsync(original.Replace("Lost carts cost $50K MRR", "Lost carts cost $60K MRR", StringComparison.Ordinal));

        var history = await new PlanHistory(_database).ListAsync(Ct);

        Assert.Equal([2, 1], history.Select(v => v.Number));
        var change = Assert.Single(history[0].Changes);
        Assert.Equal((PlanChangeKind.BvjChanged, "Lost carts cost $50K MRR", "Lost carts cost $60K MRR"),
            (change.Kind, change.Before, change.After));
        Assert.Empty(history[1].Changes);
    }

    [Theory]
    [InlineData("empty.md")]
    [InlineData("truncated.md")]
    [InlineData("binary.bin")]
    [InlineData("non-numeric-mrr.md")]
    [InlineData("heading-out-of-order.md")]
    public async Task ImportAsync_KeepsLastGoodCatalog_WhenNewFileIsBroken(string fixture)
    {
        await _importer.ImportAsync(PlanFixtures.Bytes(PlanFixtures.RealPlan), "real", Ct);

        var result = await _importer.ImportAsync(PlanFixtures.Bytes(fixture), fixture, Ct);

        Assert.Equal(PlanImportOutcome.Rejected, result.Outcome);
        Assert.Equal((1, 100), (_catalog.Current!.Version, _catalog.Current.Document.Items.Count));
        Assert.Same(result, _catalog.PendingRejection);
        await using var db = _database.CreateDbContext();
        Assert.Equal(1, await db.PlanVersions.CountAsync(Ct));
    }

    [Fact]
    public async Task LoadLatestAsync_ShowsStoredVersion_WhenAppRestartsWithBrokenFile()
    {
        await _importer.ImportAsync(PlanFixtures.Bytes(PlanFixtures.SecondPlan), "second", Ct);
        var restarted = new PlanCatalog();
        var importer = new PlanImporter(_database, restarted, TimeProvider.System, NullLogger<PlanImporter>.Instance);

        await importer.LoadLatestAsync(Ct);
        await importer.ImportAsync(PlanFixtures.Bytes("truncated.md"), "truncated", Ct);

        Assert.Equal(12, restarted.Current!.Document.Items.Count);
        Assert.Equal("truncated", restarted.PendingRejection!.Source);
    }

    [Fact]
    public async Task ImportFileAsync_RejectsWithClearError_WhenFileIsMissing()
    {
        var result = await _importer.ImportFileAsync(Path.Combine(_database.Folder, "nope.md"), Ct);

        var finding = Assert.Single(result.Findings);
        Assert.Equal("plan-unreadable", finding.Code);
        Assert.Contains("nope.md", finding.Message, StringComparison.Ordinal);
        Assert.Null(_catalog.Current);
    }
}
