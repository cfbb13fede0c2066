using Apex.Coverage.Web.Access;
using Apex.Coverage.Tests.Fixtures;
using System.Net.Http.Json;
using System.Text.Json;
using Apex.Coverage.Tests.Runs;
using Apex.Coverage.Web.CodeCoverage;
using Apex.Coverage.Web.Results;
using Apex.Coverage.Web.Runs;
using Microsoft.AspNetCore.Hosting;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Apex.Coverage.Tests.Coverage;

/// <summary>
/// Real coverage runs of the fixture suite through the translation layer, measuring
/// tests/fixtures/Apex.Fixture.Library: PassingTests.Adds calls Add and Sign(4), nothing calls
/// Subtract — 9 of 14 lines and 1 of 2 branches, with lines 13-16 and 25 uncovered.
/// </summary>
[Collection(RunnerCollection.Name)]
public sealed class CoverageRunTests(RunnerHost host)
{
    private const string Library = "Apex.Fixture.Library";

    private static readonly RunSelection PassingItem = new(PlanItems: [1]);

    /// <summary>A host whose suite is a private copy of the fixture build, so no concurrent build undoes the instrumentation.</summary>
    private RunnerHostFactory NewFactory(Action<IWebHostBuilder>? more = null)
    {
        var folder = TempFolder.Create("apex-coverage-run");
        var assembly = FixtureSuiteBuild.CopyOutput(host.Build.Assembly, Path.Combine(folder, "suite"));
        return new RunnerHostFactory(assembly, folder, Configure(more));
    }

    private static Action<IWebHostBuilder> Configure(Action<IWebHostBuilder>? more) => b =>
    {
        b.UseSetting("Coverage:TargetAssembly", Library);
        more?.Invoke(b);
    };

    private static Task<long> StartAsync(RunnerHostFactory factory, bool collectCoverage) =>
        factory.Requests.StartAsync(RunnerHostFactory.Suite, PassingItem, RunSource.Api, collectCoverage, null, TestContext.Current.CancellationToken);

    [Fact]
    public async Task CoverageRun_StoresLibraryRatesModulesAndUncoveredLines_WhenCollectCoverageIsAsked()
    {
        await using var factory = NewFactory();
        var id = await StartAsync(factory, collectCoverage: true);
        var run = await factory.WaitForEndAsync(id);

        Assert.Equal((RunStatus.Passed, 2), (run.Status, run.Total));
        await using var db = factory.Database();
        var coverage = await db.RunCodeCoverage.AsNoTracking().Include(c => c.Modules).SingleAsync(c => c.RunId == id, TestContext.Current.CancellationToken);
        Assert.Equal((9, 14, 1, 2, (string?)null), (coverage.LinesCovered, coverage.LinesValid, coverage.BranchesCovered, coverage.BranchesValid, coverage.Note));
        var module = Assert.Single(coverage.Modules);
        Assert.Equal((CodeCoverageSummarizer.RootModule, 9, 14), (module.Name, module.LinesCovered, module.LinesValid));
        var file = await db.FileCodeCoverage.AsNoTracking().SingleAsync(f => f.RunId == id, TestContext.Current.CancellationToken);
        Assert.Equal(("Arithmetic.cs", "13-16,25"), (file.Path, file.UncoveredLines));
    }

    [Fact]
    public async Task RunsAndCoverageApis_CarryTheMeasuredRates_AfterACoverageRun()
    {
        await using var factory = NewFactory();
        using var client = await factory.CreateSignedInClientAsync(DashboardRoles.Viewer);
        var before = await client.GetFromJsonAsync<JsonElement>("/api/v1/coverage", TestContext.Current.CancellationToken);
        Assert.Equal(JsonValueKind.Null, before.GetProperty("totals").GetProperty("codeLineRate").ValueKind);

        var id = await StartAsync(factory, collectCoverage: true);
        await factory.WaitForEndAsync(id);

        var run = await client.GetFromJsonAsync<JsonElement>($"/api/v1/runs/{id}", TestContext.Current.CancellationToken);
        var code = run.GetProperty("codeCoverage");
        Assert.Equal((0.6429, 0.5), (code.GetProperty("lineRate").GetDouble(), code.GetProperty("branchRate").GetDouble()));
        Assert.Equal(CodeCoverageSummarizer.RootModule, code.GetProperty("modules")[0].GetProperty("name").GetString());
        var after = await client.GetFromJsonAsync<JsonElement>("/api/v1/coverage", TestContext.Current.CancellationToken);
        Assert.Equal(0.6429, after.GetProperty("totals").GetProperty("codeLineRate").GetDouble());
        var files = await client.GetFromJsonAsync<JsonElement>($"/api/v1/runs/{id}/coverage/files", TestContext.Current.CancellationToken);
        Assert.Equal("13-16,25", files[0].GetProperty("uncoveredLines").GetString());
    }

    [Fact]
    public async Task PlainRun_StoresNoCoverage_WhenCoverageIsNotAsked()
    {
        await using var factory = NewFactory();
        var id = await StartAsync(factory, collectCoverage: false);
        var run = await factory.WaitForEndAsync(id);

        using var client = await factory.CreateSignedInClientAsync(DashboardRoles.Viewer);
        var detail = await client.GetFromJsonAsync<JsonElement>($"/api/v1/runs/{id}", TestContext.Current.CancellationToken);
        Assert.Equal(RunStatus.Passed, run.Status);
        Assert.Equal(JsonValueKind.Null, detail.GetProperty("codeCoverage").ValueKind);
    }

    [Fact]
    public async Task CoverageRun_KeepsResultsAndNotesMissingCoverage_WhenCollectorIsNotFound()
    {
        var empty = Directory.CreateTempSubdirectory("apex-no-collector").FullName;
        try
        {
            await using var factory = NewFactory(b => b.UseSetting("Coverage:CollectorPath", empty));
            var id = await StartAsync(factory, collectCoverage: true);
            var run = await factory.WaitForEndAsync(id);

            Assert.Equal((RunStatus.Passed, 2, 2), (run.Status, run.Total, (await factory.ResultsAsync(id)).Count));
            Assert.StartsWith("Code coverage is missing: coverlet.collector was not found", run.Message, StringComparison.Ordinal);
            await using var db = factory.Database();
            var coverage = await db.RunCodeCoverage.AsNoTracking().SingleAsync(c => c.RunId == id, TestContext.Current.CancellationToken);
            Assert.Equal((0, coverage.Note), (coverage.LinesValid, run.Message!["Code coverage is missing: ".Length..]));
        }
        finally
        {
            Directory.Delete(empty, recursive: true);
        }
    }

    [Fact]
    public async Task CoverageRun_NotesThatTheReportHoldsNoTargetLines_WhenTargetIsNotLoadedByTheTests()
    {
        await using var factory = NewFactory(b => b.UseSetting("Coverage:TargetAssembly", "Apex.Not.Loaded"));
        var id = await StartAsync(factory, collectCoverage: true);
        var run = await factory.WaitForEndAsync(id);

        Assert.Equal(RunStatus.Passed, run.Status);
        Assert.Contains("holds no lines of Apex.Not.Loaded", run.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("<coverage><packages><package name=\"Apex.Fixture.Library\"><classes>", "could not be read: The report is not well-formed XML")]
    [InlineData("<!DOCTYPE coverage [<!ENTITY x SYSTEM \"file:///etc/passwd\">]><coverage>&x;</coverage>", "could not be read: The report is not well-formed XML")]
    [InlineData("<TestRun />", "could not be read: The report's root element is <TestRun>")]
    public async Task RecordAsync_StoresANoteAndLeavesTheRun_WhenReportIsDamaged(string report, string expected)
    {
        await using var factory = NewFactory();
        var id = await factory.WaitForEndAsync(await StartAsync(factory, collectCoverage: false)) is { } run ? run.Id : 0;
        var results = Directory.CreateTempSubdirectory("apex-coverage-bad").FullName;
        await File.WriteAllTextAsync(Path.Combine(results, "coverage.cobertura.xml"), report, TestContext.Current.CancellationToken);

        var note = await factory.Services.GetRequiredService<CodeCoverageRecorder>().RecordAsync(id, [], results, missing: null);

        Assert.StartsWith("Code coverage is missing: the coverage report " + expected, note, StringComparison.Ordinal);
        Assert.False(Directory.Exists(results));
        await using var db = factory.Database();
        var stored = await db.RunCodeCoverage.AsNoTracking().SingleAsync(c => c.RunId == id, TestContext.Current.CancellationToken);
        Assert.Equal((0, true), (stored.LinesValid, note!.EndsWith(stored.Note!, StringComparison.Ordinal)));
        Assert.Equal(2, (await factory.ResultsAsync(id)).Count);
    }
}
