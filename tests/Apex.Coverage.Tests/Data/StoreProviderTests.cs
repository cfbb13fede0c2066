using Apex.Coverage.Tests.Analytics;
using Apex.Coverage.Tests.Fixtures;
using Apex.Coverage.Web.Analytics;
using Apex.Coverage.Web.Data;
using Apex.Coverage.Web.Ingestion;
using Apex.Coverage.Web.Plan;
using Apex.Coverage.Web.Results;
using Apex.Integration.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using TestResult = Apex.Coverage.Web.Results.TestResult;

namespace Apex.Coverage.Tests.Data;

/// <summary>The store on each provider: its migrations, the bulk insert, the raw SQL, and the choice by configuration.</summary>
[Collection(PostgresStore.Name)]
public sealed class StoreProviderTests(PostgresServer postgres)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Theory]
    [InlineData(StoreProvider.Sqlite)]
    [InlineData(StoreProvider.PostgreSql)]
    public async Task Migrate_LeavesNoPendingMigrationOrModelChange_OnEachProvider(StoreProvider provider)
    {
        await using var database = await TestDatabase.CreateAsync(provider, postgres);
        await using var db = database.CreateDbContext();

        Assert.Equal(provider, CoverageStore.ProviderOf(db));
        Assert.Empty(await db.Database.GetPendingMigrationsAsync(Ct));
        Assert.False(db.Database.HasPendingModelChanges(), $"The {provider} migrations are behind the model: add one.");
    }

    [Theory]
    [InlineData(StoreProvider.Sqlite)]
    [InlineData(StoreProvider.PostgreSql)]
    public async Task BulkInsert_StoresEveryColumnAsEfWouldReadIt_OnEachProvider(StoreProvider provider)
    {
        await using var database = await TestDatabase.CreateAsync(provider, postgres);
        var runId = await NewRunAsync(database);
        var at = new DateTimeOffset(2026, 11, 25, 21, 30, 0, 123, TimeSpan.FromHours(2));
        TestResult[] rows =
        [
            new() { RunId = runId, SuiteName = "l2", ResultKey = "k1", FullyQualifiedName = "A.One", DisplayName = "A.One(x: 1)", Outcome = TestOutcome.Failed,
                DurationSeconds = 1.25, ErrorMessage = "boom", StackTrace = "at A.One()", Commit = "c1", StartedAt = at, FinishedAt = at.AddSeconds(1), RecordedAt = at },
            new() { RunId = runId, SuiteName = "l2", ResultKey = "k2", FullyQualifiedName = "A.Two", DisplayName = "A.Two", Outcome = TestOutcome.Skipped, RecordedAt = at },
        ];

        await using (var db = database.CreateDbContext())
        {
            await using var transaction = await db.Database.BeginTransactionAsync(Ct);
            await BulkInserter.InsertAsync(db, rows, Ct);
            await transaction.CommitAsync(Ct);
        }

        await using var read = database.CreateDbContext();
        var stored = await read.TestResults.AsNoTracking().Where(r => r.RunId == runId).OrderBy(r => r.ResultKey).ToListAsync(Ct);
        Assert.Equal(2, stored.Count);
        Assert.Equal((TestOutcome.Failed, 1.25, "boom", "at A.One()", "c1", "A.One(x: 1)"),
            (stored[0].Outcome, stored[0].DurationSeconds, stored[0].ErrorMessage, stored[0].StackTrace, stored[0].Commit, stored[0].DisplayName));
        Assert.Equal((at, at.AddSeconds(1), at), (stored[0].StartedAt!.Value, stored[0].FinishedAt!.Value, stored[0].RecordedAt));
        Assert.Equal((TestOutcome.Skipped, (string?)null, (DateTimeOffset?)null), (stored[1].Outcome, stored[1].ErrorMessage, stored[1].StartedAt));
    }

    [Theory]
    [InlineData(StoreProvider.Sqlite)]
    [InlineData(StoreProvider.PostgreSql)]
    public async Task Watermark_Changes_WhenAnotherWriterStoresAResult_OnEachProvider(StoreProvider provider)
    {
        await using var database = await TestDatabase.CreateAsync(provider, postgres);
        var service = new CoverageService(database, new PlanCatalog(), Options.Create(new AnalyticsOptions()), TimeProvider.System);
        var empty = await service.WatermarkAsync(Ct);

        await History.RunAsync(database, "c1", ("A.One", History.P));
        var afterRun = await service.WatermarkAsync(Ct);

        Assert.NotEqual(empty, afterRun);
        Assert.Equal(afterRun, await service.WatermarkAsync(Ct));
    }

    [Theory]
    [InlineData("PostgreSql", "Data Source=data/apex-coverage.db", "Data:ConnectionString is not a PostgreSQL connection string")]
    [InlineData("PostgreSql", "Database=apex", "Data:ConnectionString is not a PostgreSQL connection string (it names no server or file)")]
    [InlineData("Oracle", "Data Source=x.db", "Data:Provider")]
    public async Task Start_FailsNamingTheKey_WhenStoreConfigurationIsWrong(string provider, string connectionString, string expected)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { EnvironmentName = "Test", ContentRootPath = Path.GetTempPath() });
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Data:Provider"] = provider,
            ["Data:ConnectionString"] = connectionString,
        });
        builder.AddCoverageData();
        using var host = builder.Build();

        var error = await Assert.ThrowsAnyAsync<Exception>(() => host.StartAsync(Ct));

        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
    }

    private static async Task<long> NewRunAsync(TestDatabase database)
    {
        await using var db = database.CreateDbContext();
        var run = new TestRun { SuiteName = "l2", Source = RunSource.Ci, Status = RunStatus.Passed, CreatedAt = DateTimeOffset.UnixEpoch };
        db.TestRuns.Add(run);
        await db.SaveChangesAsync(Ct);
        return run.Id;
    }
}
