using System.Text;
using System.Text.RegularExpressions;

namespace Apex.Coverage.Web.Mutation;

/// <summary>
/// Reads Stryker's console output as it arrives, for the live page. Redirected, Stryker's progress bar
/// prints nothing, so the run asks for the dots reporter: after "N total mutants will be tested" it writes
/// one mark per tested mutant ('.' killed, 'S' survived, 'T' timeout, 'E' error) on a line that only ends
/// when the last mutant is done. Marks are counted as they come; whole lines are handed back as well.
/// Pure (no I/O), so the parsing is tested without a run.
/// </summary>
public sealed partial class StrykerProgress
{
    private const string Marks = ".STE";
    private readonly StringBuilder _line = new();
    private readonly int[] _byMark = new int[Marks.Length];
    private readonly int[] _lineByMark = new int[Marks.Length];
    private bool _marking;
    private int _lineMarks;

    public int Tested { get; private set; }

    /// <summary>What the marks said so far, e.g. "150 of 219 mutants tested: 80 killed, 60 survived, 10 timed out"; null before testing began.</summary>
    public string? Tally => Total is not { } total ? null
        : $"{Tested} of {total} mutants tested: {_byMark[0]} killed, {_byMark[1]} survived, {_byMark[2]} timed out" + (_byMark[3] > 0 ? $", {_byMark[3]} errors" : "");

    public int? Total { get; private set; }

    /// <summary>Feeds the next chunk; answers the lines it completed and whether the counts moved.</summary>
    public (IReadOnlyList<string> Lines, bool Moved) Feed(ReadOnlySpan<char> chunk)
    {
        var lines = new List<string>();
        var moved = false;
        foreach (var c in chunk)
        {
            if (c == '\n')
            {
                moved |= EndLine(lines);
                continue;
            }

            _line.Append(c);
            moved |= Mark(c);
        }

        return (lines, moved);
    }

    /// <summary>Counts a mark while the line holds only marks; a log line that happens to hold dots gives its marks back.</summary>
    private bool Mark(char c)
    {
        if (!_marking || _lineMarks < 0 || c == '\r') return false;
        if (Marks.IndexOf(c) is var mark and >= 0)
        {
            (_lineMarks, Tested) = (_lineMarks + 1, Tested + 1);
            _byMark[mark]++;
            _lineByMark[mark]++;
            return true;
        }

        var gaveBack = _lineMarks > 0;
        Tested -= _lineMarks;
        for (var i = 0; i < Marks.Length; i++) _byMark[i] -= _lineByMark[i];
        _lineMarks = -1; // not a line of marks
        return gaveBack;
    }

    private bool EndLine(List<string> lines)
    {
        var line = _line.ToString().TrimEnd('\r');
        _line.Clear();
        lines.Add(line);
        if (_lineMarks > 0) _marking = false; // the line of marks is complete: every mutant is tested
        _lineMarks = 0;
        Array.Clear(_lineByMark);
        if (WillBeTested().Match(line) is not { Success: true } total) return false;
        (Total, Tested, _marking) = (int.Parse(total.Groups[1].Value), 0, true);
        Array.Clear(_byMark);
        return true;
    }

    [GeneratedRegex(@"(\d+)\s+total mutants will be tested")]
    private static partial Regex WillBeTested();
}
