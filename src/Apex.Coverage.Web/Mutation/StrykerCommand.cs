using System.Globalization;

namespace Apex.Coverage.Web.Mutation;

/// <summary>What one mutation run asks Stryker for: the item's tests, the files to mutate, the bounds.</summary>
public sealed record MutationScope(int PlanItem, string Project, IReadOnlyList<string> Mutate, string? Since, string TestFilter);

/// <summary>
/// The `dotnet stryker` command line for a scope, run from the test project's folder with the
/// repo's local tool (.config/dotnet-tools.json). Only the JSON reporter (the standard
/// mutation-report.json the dashboard reads) and the dots reporter (one mark per tested mutant, counted for the live page: the progress bar prints nothing when redirected).
/// </summary>
public static class StrykerCommand
{
    public static IReadOnlyList<string> Arguments(MutationScope scope, MutationOptions options, string output)
    {
        var arguments = new List<string>
        {
            "tool", "run", "dotnet-stryker", "--",
            "--project", Path.GetFileName(scope.Project),
            "--concurrency", options.Concurrency.ToString(CultureInfo.InvariantCulture),
            "--test-runner", options.TestRunner,
            "--test-case-filter", scope.TestFilter,
            "--reporter", "json",
            "--reporter", "dots",
            "--output", output,
            "--skip-version-check",
        };
        foreach (var pattern in scope.Mutate)
        {
            arguments.AddRange(["--mutate", pattern]);
        }

        if (scope.Since is { } since)
        {
            arguments.Add($"--since:{since}");
        }

        return arguments;
    }

    /// <summary>
    /// The item's tests as a filter on their classes. Stryker's MTP runner filters only on
    /// FullyQualifiedName, Name, DisplayName and ClassName (not on traits such as PlanId), so the
    /// classes of the item's discovered tests are named.
    /// </summary>
    public static string TestFilter(IEnumerable<string> fullyQualifiedNames) => string.Join('|',
        fullyQualifiedNames.Select(n => n.LastIndexOf('.') is > 0 and var dot ? n[..dot] : n)
            .Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).Select(c => $"FullyQualifiedName~{c}."));

    /// <summary>The globs for a set of platform modules (folders of the mutated project): their C# files.</summary>
    public static IReadOnlyList<string> Globs(IEnumerable<string> modules) =>
        [.. modules.Distinct(StringComparer.OrdinalIgnoreCase).Order(StringComparer.Ordinal).Select(m => $"**/{m}/**/*.cs")];
}
