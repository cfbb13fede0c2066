using System.Text.RegularExpressions;

namespace Apex.Coverage.Web.Mutation;

/// <summary>
/// Reads Stryker's console output for the live page: "N mutants created", "N total mutants will be
/// tested" and the progress bar's "tested / total". Pure, so the parsing is tested without a run.
/// </summary>
public static partial class StrykerProgress
{
    /// <summary>The (tested, total) a line tells, or null when it tells neither.</summary>
    public static (int? Tested, int? Total)? Read(string line)
    {
        if (Bar().Match(line) is { Success: true } bar)
        {
            return (int.Parse(bar.Groups[1].Value), int.Parse(bar.Groups[2].Value));
        }

        return WillBeTested().Match(line) is { Success: true } total ? (0, int.Parse(total.Groups[1].Value)) : null;
    }

    [GeneratedRegex(@"(\d+)\s*/\s*(\d+)\s*\|\s*\d+\s*%")]
    private static partial Regex Bar();

    [GeneratedRegex(@"(\d+)\s+total mutants will be tested")]
    private static partial Regex WillBeTested();
}
