using System.Text.RegularExpressions;
using Apex.Coverage.Tests.Fixtures;
using Apex.Coverage.Tests.Runs;
using Apex.Coverage.Web.CodeCoverage;
using Apex.Coverage.Web.Mutation;
using Microsoft.Extensions.Configuration;

namespace Apex.Coverage.Tests.Mutation;

/// <summary>
/// What a mutation run of an item the coverage map does not have mutates: its category's modules as the
/// repository's own appsettings.json names them (Coverage:Categories, docs/adr/0251). For the resilience
/// items that must be the platform code their L2 tests use (src/Apex.Platform/Resilience), not modules
/// those tests never import, whose mutants would cost time and say nothing about the item.
/// </summary>
public sealed partial class MutationCategoryModulesTests
{
    private const int GracefulDegradation = 89;

    [GeneratedRegex(@"^using Apex\.Platform\.(?<module>[A-Za-z]+)", RegexOptions.Multiline)]
    private static partial Regex PlatformUsing();

    private static CodeCoverageOptions RepositoryCoverage() =>
        new ConfigurationBuilder().AddJsonFile(Path.Combine(FixtureSuiteBuild.RepoRoot, "appsettings.json")).Build()
            .GetSection(CodeCoverageOptions.SectionName).Get<CodeCoverageOptions>()!;

    /// <summary>The Apex.Platform modules (first namespace part) the L2 tests in one folder import.</summary>
    private static IReadOnlyList<string> ModulesImportedBy(string testFolder) =>
        [.. Directory.EnumerateFiles(Path.Combine(FixtureSuiteBuild.RepoRoot, "tests", "Apex.Integration", testFolder), "*.cs", SearchOption.AllDirectories)
            .SelectMany(file => PlatformUsing().Matches(File.ReadAllText(file)).Select(m => m.Groups["module"].Value))
            .Distinct(StringComparer.Ordinal)];

    [Fact]
    public void Choose_MutatesTheModulesTheResilienceTestsUse_ForAResilienceItemTheCoverageMapDoesNotHave()
    {
        var item = PlanFixtures.Parse(PlanFixtures.RealPlan).Document.Items.Single(i => i.Number == GracefulDegradation);
        var modules = RepositoryCoverage().Categories.GetValueOrDefault(item.CategorySlug) ?? [];
        var imported = ModulesImportedBy("ErrorRecoveryResilience");

        var targets = MutationTargeting.Choose(mapped: null, modules);

        Assert.Equal("error-recovery-resilience", item.CategorySlug);
        Assert.Contains("Resilience", imported);
        Assert.True(Directory.Exists(Path.Combine(FixtureSuiteBuild.RepoRoot, "src", "Apex.Platform", "Resilience")));
        Assert.Equal(StrykerCommand.Globs(imported), targets.Mutate);
    }

    /// <summary>
    /// Every category names platform modules its L2 tests import, the one they import most among them: a module its
    /// tests never import would be mutated (and counted on its coverage page) for nothing. Performance used to name
    /// Backend, Caching and Data while its tests import Performance (and Auth and Realtime only to sign in).
    /// </summary>
    [Theory]
    [InlineData("authentication-authorization", "Authentication")]
    [InlineData("websocket-real-time", "WebSocketRealtime")]
    [InlineData("agent-orchestration", "AgentOrchestration")]
    [InlineData("database-coordination", "DatabaseCoordination")]
    [InlineData("cache-state-management", "CacheStateManagement")]
    [InlineData("performance-scalability", "PerformanceScalability")]
    [InlineData("error-recovery-resilience", "ErrorRecoveryResilience")]
    [InlineData("business-critical-flows", "BusinessCriticalFlows")]
    public void Categories_NameTheModulesTheirTestsImport_AndTheOneTheyImportMost(string slug, string testFolder)
    {
        var modules = RepositoryCoverage().Categories.GetValueOrDefault(slug) ?? [];
        var imports = Directory.EnumerateFiles(Path.Combine(FixtureSuiteBuild.RepoRoot, "tests", "Apex.Integration", testFolder), "*.cs", SearchOption.AllDirectories)
            .SelectMany(file => PlatformUsing().Matches(File.ReadAllText(file)).Select(m => m.Groups["module"].Value))
            .GroupBy(m => m, StringComparer.Ordinal).OrderByDescending(g => g.Count()).Select(g => g.Key).ToList();

        Assert.NotEmpty(modules);
        Assert.All(modules, m => Assert.Contains(m, imports));
        Assert.Contains(imports[0], modules);
    }
}
