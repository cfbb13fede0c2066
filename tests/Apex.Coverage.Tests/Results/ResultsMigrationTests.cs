using Apex.Coverage.Tests.Fixtures;
using Apex.Coverage.Web.Data;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;

namespace Apex.Coverage.Tests.Results;

public sealed class ResultsMigrationTests
{
    private const string BeforeResultsModule = "20261124134808_CodeCoverage";

    [Fact]
    public async Task Migrate_ConvertsTextTimestampsToUtcTicksAndGivesResultsTheirRunsSuite_WhenUpgradingAStoredDatabase()
    {
        var ct = TestContext.Current.CancellationToken;
        var folder = TempFolder.Create("apex-migration");
        try
        {
            var options = new DbContextOptionsBuilder<CoverageDbContext>().UseSqlite($"Data Source={Path.Combine(folder, "old.db")};Pooling=False").Options;
            await using (var old = new CoverageDbContext(options))
            {
                await old.GetService<IMigrator>().MigrateAsync(BeforeResultsModule, ct);
                // As the previous model stored them: a plan import time as text with an offset, results without a suite.
                await old.Database.ExecuteSqlRawAsync("""
                    INSERT INTO "PlanVersions" ("Number", "ContentHash", "Source", "ImportedAt", "ItemCount", "TotalMrr", "DocumentJson", "FindingsJson")
                    VALUES (1, 'h', 'plan.md', '2026-11-24 14:30:15.25+02:00', 0, '0', '{{}}', '[]');
                    INSERT INTO "TestRuns" ("SuiteName", "Status", "Source", "CollectCoverage", "CreatedAt", "Total", "Passed", "Failed", "Skipped")
                    VALUES ('L2', 'Passed', 'Ci', 0, 0, 1, 1, 0, 0);
                    INSERT INTO "TestResults" ("RunId", "ResultKey", "FullyQualifiedName", "DisplayName", "Outcome", "DurationSeconds", "RecordedAt")
                    VALUES (1, 'k', 'A.B', 'A.B', 'Passed', 1.0, 0);
                    """, ct);
            }

            await using var db = new CoverageDbContext(options);
            await db.Database.MigrateAsync(ct);

            var version = await db.PlanVersions.SingleAsync(ct);
            var result = await db.TestResults.SingleAsync(ct);
            Assert.Equal(new DateTimeOffset(2026, 11, 24, 12, 30, 15, 250, TimeSpan.Zero), version.ImportedAt);
            Assert.Equal("L2", result.SuiteName);
        }
        finally
        {
            TempFolder.Delete(folder);
        }
    }
}
