using System.Text.Json;
using Apex.Coverage.Tests.Fixtures;
using Apex.Coverage.Web.Analytics;
using Apex.Coverage.Web.Mutation;
using Apex.Coverage.Web.Plan;

namespace Apex.Coverage.Tests.Mutation;

public sealed class MutationVerdictTests
{
    private const string Report = """
        {"schemaVersion":"2","thresholds":{"high":80,"low":60},"projectRoot":"/repo/src/P","files":{
          "/repo/src/P/Auth/A.cs":{"language":"cs","source":"","mutants":[
            {"id":"1","mutatorName":"Equality mutation","replacement":"a > b","location":{"start":{"line":8,"column":5},"end":{"line":8,"column":10}},"status":"Survived"},
            {"id":"2","mutatorName":"Arithmetic mutation","replacement":"a / b","location":{"start":{"line":6,"column":5},"end":{"line":6,"column":10}},"status":"Killed"},
            {"id":"3","mutatorName":"Block removal","replacement":"{}","location":{"start":{"line":9,"column":1},"end":{"line":9,"column":2}},"status":"CompileError"},
            {"id":"4","mutatorName":"String mutation","replacement":"\"\"","location":{"start":{"line":10,"column":1},"end":{"line":10,"column":2}},"status":"Timeout"}]},
          "/repo/src/P/Auth/B.cs":{"language":"cs","source":"","mutants":[
            {"id":"5","mutatorName":"Boolean mutation","replacement":"false","location":{"start":{"line":3,"column":1},"end":{"line":3,"column":5}},"status":"NoCoverage"}]}}}
        """;

    private static MutationReport Read(string json = Report) => MutationReportReader.Read(JsonDocument.Parse(json).RootElement, "/repo");

    [Fact]
    public void Read_CountsValidMutantsPerFile_AndLeavesCompileErrorsOut()
    {
        var report = Read();

        Assert.Equal(["src/P/Auth/A.cs", "src/P/Auth/B.cs"], report.Files.Select(f => f.Path));
        Assert.Equal(new MutationCounts(1, 1, 0, 1), report.Files[0].Counts);
        Assert.Equal(new MutationCounts(1, 1, 1, 1), report.Totals);
        Assert.Equal(50, report.Totals.Score);
        Assert.DoesNotContain(report.Mutants, m => m.Status == "CompileError");
    }

    [Fact]
    public void Merge_CarriesOverUntestedFilesAndTheirSurvivors_WhenAnIncrementalRunSkippedThem()
    {
        var previous = new MutationRun { Suite = "L2", Source = "api", PlanItem = 1 };
        MutationMerge.Apply(previous, MutationMerge.Merge(Read(), null));
        var incremental = Report.Replace("\"NoCoverage\"", "\"Ignored\"", StringComparison.Ordinal).Replace("\"Survived\"", "\"Killed\"", StringComparison.Ordinal);

        var merged = MutationMerge.Merge(Read(incremental), previous);

        Assert.Equal([("src/P/Auth/A.cs", false), ("src/P/Auth/B.cs", true)], merged.Files.Select(f => (f.Path, f.CarriedOver)));
        Assert.Equal(new MutationCounts(2, 0, 0, 1), merged.Files[0].Counts);
        var survivor = Assert.Single(merged.Survivors);
        Assert.Equal(("src/P/Auth/B.cs", 3, "NoCoverage"), (survivor.Path, survivor.Line, survivor.Status));
    }

    [Fact]
    public void Verdict_IsUnverified_WhenNeverMutatedOrNoMutantIsValid_AndVerifiedOnlyAtTheThreshold()
    {
        Assert.Equal(MutationVerdict.Unverified, VerifiedMrr.Verdict(null, 80));
        Assert.Equal(MutationVerdict.Unverified, VerifiedMrr.Verdict(Run(1, 0, 0, 0, 0), 80));
        Assert.Equal(MutationVerdict.Verified, VerifiedMrr.Verdict(Run(1, 8, 2, 0, 0), 80));
        Assert.Equal(MutationVerdict.BelowThreshold, VerifiedMrr.Verdict(Run(1, 7, 2, 1, 0), 80));
    }

    [Fact]
    public void Compute_CountsOnlyProtectedItemsThatMeetTheThreshold_PerCategoryAndInTotal()
    {
        var plan = PlanFixtures.Parse(PlanFixtures.RealPlan).Document;
        var shares = CoverageCalculator.ItemShares(plan);
        var items = plan.Items.Select(i => new ItemCoverage(i, i.Number <= 3 ? ItemStatus.Passing : ItemStatus.NotImplemented, [], shares[i.Number])).ToList();
        var auth = plan.Categories.Single(c => c.Slug == "authentication-authorization");
        var figures = new CoverageFigures(0, 0, 0, 0, 0, 0, 0, 0m, 0m, 0, null);
        var report = new CoverageReport(figures, [new CategoryCoverage(auth, figures, [.. items.Where(i => i.Item.CategorySlug == auth.Slug)])],
            items, [], [], new CoverageTargets(null, null, null, null), new FlakinessRule(30, 0.1, 2), DateTimeOffset.UnixEpoch);

        // Item 1 verified, item 2 below the threshold, item 3 never mutated, item 4 verified but not passing.
        var verified = VerifiedMrr.Compute(report, [Run(1, 9, 1, 0, 0), Run(2, 1, 9, 0, 0), Run(4, 10, 0, 0, 0)], 80);

        Assert.Equal(Math.Round(shares[1], 2), Math.Round(verified.Totals.VerifiedMrr, 2));
        Assert.Equal(Math.Round(shares[1] + shares[2] + shares[3], 2), Math.Round(verified.Totals.ProtectedMrr, 2));
        Assert.Equal((1, 3), (verified.Totals.VerifiedItems, verified.Totals.MutatedItems));
        Assert.Equal(MutationVerdict.Unverified, verified.Items[3]);
        Assert.Equal(verified.Totals.VerifiedMrr, verified.Categories[auth.Slug].VerifiedMrr);
    }

    [Fact]
    public void Arguments_NameTheItemsTestClassesModulesAndBaseline()
    {
        var filter = StrykerCommand.TestFilter(["Ns.ATests.One", "Ns.ATests.Two", "Ns.BTests.Three"]);
        var scope = new MutationScope(2, "src/P/P.csproj", StrykerCommand.Globs(["Auth", "Realtime", "auth"]), "abc123", filter);

        var arguments = StrykerCommand.Arguments(scope, new MutationOptions(), "/tmp/out");

        Assert.Equal("FullyQualifiedName~Ns.ATests.|FullyQualifiedName~Ns.BTests.", filter);
        Assert.Equal(["**/Auth/**/*.cs", "**/Realtime/**/*.cs"], scope.Mutate);
        Assert.Equal(["--project", "P.csproj"], arguments.SkipWhile(a => a != "--project").Take(2));
        Assert.Equal(["--concurrency", "1"], arguments.SkipWhile(a => a != "--concurrency").Take(2));
        Assert.Equal("--since:abc123", arguments[^1]);
        Assert.Equal(2, arguments.Count(a => a == "--mutate"));
    }

    private static MutationRun Run(int item, int killed, int survived, int noCoverage, int timeout) => new()
    {
        Suite = "L2", Source = "api", PlanItem = item, Status = MutationRunStatus.Completed, Killed = killed, Survived = survived,
        NoCoverage = noCoverage, Timeout = timeout, FinishedAt = DateTimeOffset.UnixEpoch,
    };
}
