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
}
