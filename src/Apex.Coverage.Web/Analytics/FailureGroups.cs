using System.Text.RegularExpressions;

namespace Apex.Coverage.Web.Analytics;

/// <summary>A test's most recent failure within its window.</summary>
public sealed record TestFailure(TestCoverage Test, RecordedOutcome Result);

/// <summary>Failures whose messages say the same thing once the varying parts are taken out.</summary>
public sealed record FailureGroup(string Message, IReadOnlyList<TestFailure> Failures)
{
    public decimal MrrAtRisk => Failures.Sum(f => f.Test.ItemsMrr);
}

/// <summary>
/// Groups failures by normalised message: the first line, with ids, numbers, quoted values and
/// addresses replaced by placeholders, so "expected 3 but was 5" and "expected 4 but was 7" meet.
/// </summary>
public static partial class FailureGroups
{
    [GeneratedRegex(@"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}")]
    private static partial Regex Guid();

    [GeneratedRegex(@"0x[0-9a-fA-F]+")]
    private static partial Regex Hex();

    [GeneratedRegex(@"""[^""]*""|'[^']*'")]
    private static partial Regex Quoted();

    [GeneratedRegex(@"\d+(?:[.,:]\d+)*")]
    private static partial Regex Number();

    [GeneratedRegex(@"\s+")]
    private static partial Regex Space();

    public static string Normalise(string? message)
    {
        if (string.IsNullOrWhiteSpace(message))
        {
            return "(no message)";
        }

        var line = message.Trim().Split('\n', 2)[0].Trim();
        line = Guid().Replace(line, "<id>");
        line = Hex().Replace(line, "<hex>");
        line = Quoted().Replace(line, "\"…\"");
        line = Number().Replace(line, "<n>");
        line = Space().Replace(line, " ");
        return line.Length > 300 ? line[..300] + "…" : line;
    }

    /// <summary>Groups, largest first (then by MRR at risk).</summary>
    public static List<FailureGroup> Group(IEnumerable<TestFailure> failures) =>
        [.. failures.GroupBy(f => Normalise(f.Result.ErrorMessage), StringComparer.Ordinal)
            .Select(g => new FailureGroup(g.Key, [.. g.OrderBy(f => f.Test.FullyQualifiedName, StringComparer.Ordinal)]))
            .OrderByDescending(g => g.Failures.Count).ThenByDescending(g => g.MrrAtRisk)];
}
