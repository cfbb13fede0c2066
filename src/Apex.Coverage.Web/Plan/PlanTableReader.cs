using System.Globalization;
using System.Text.RegularExpressions;
using Markdig.Extensions.Tables;

namespace Apex.Coverage.Web.Plan;

/// <summary>A row of the category overview table.</summary>
internal sealed record OverviewRow(string Name, int Count, decimal Mrr, string? Priority, int Line);

/// <summary>
/// Reads the plan's two tables, recognised by their header cells rather than by where they stand:
/// the category overview (Category, Count, MRR, Priority) and the Implementation Status table
/// (Test #, Test Name, Status, File Location).
/// </summary>
internal static partial class PlanTableReader
{
    [GeneratedRegex(@"^\s*(?<first>\d+)\s*(?:[-–]\s*(?<last>\d+))?\s*$")]
    private static partial Regex NumberOrRange();

    public static bool IsOverview(IReadOnlyList<string> header) =>
        Column(header, "category") >= 0 && Column(header, "count") >= 0;

    public static bool IsStatus(IReadOnlyList<string> header) =>
        Column(header, "status") >= 0 && Column(header, "#") >= 0;

    public static IReadOnlyList<string> Header(Table table) =>
        table.OfType<TableRow>().FirstOrDefault(r => r.IsHeader) is { } row
            ? row.OfType<TableCell>().Select(MarkdownText.Of).ToList()
            : [];

    public static IEnumerable<OverviewRow> ReadOverview(Table table, ICollection<PlanFinding> findings)
    {
        var header = Header(table);
        int name = Column(header, "category"), count = Column(header, "count");
        int mrr = Column(header, "mrr"), priority = Column(header, "priority");
        foreach (var (cells, line) in Rows(table))
        {
            var categoryName = Cell(cells, name);
            if (categoryName.Length == 0)
            {
                continue;
            }

            if (!int.TryParse(Cell(cells, count), NumberStyles.None, CultureInfo.InvariantCulture, out var n))
            {
                findings.Add(PlanFinding.Error("overview-count-not-numeric", line,
                    $"The overview gives '{categoryName}' the count '{Cell(cells, count)}', which is not a whole number."));
                continue;
            }

            if (!MoneyFigure.TryParse(Cell(cells, mrr), out var dollars))
            {
                findings.Add(PlanFinding.Error("overview-mrr-not-numeric", line,
                    $"The overview gives '{categoryName}' the MRR '{Cell(cells, mrr)}', which is not a dollar figure such as $150K."));
                continue;
            }

            var prio = Cell(cells, priority);
            yield return new OverviewRow(categoryName, n, dollars, prio.Length == 0 ? null : prio, line);
        }
    }

    public static IEnumerable<PlanStatusEntry> ReadStatus(Table table, ICollection<PlanFinding> findings)
    {
        var header = Header(table);
        int number = Column(header, "#"), name = Column(header, "name");
        int status = Column(header, "status"), file = Column(header, "file");
        foreach (var (cells, line) in Rows(table))
        {
            var match = NumberOrRange().Match(Cell(cells, number));
            if (!match.Success)
            {
                findings.Add(PlanFinding.Warning("status-row-without-number", line,
                    $"The Implementation Status row '{Cell(cells, number)}' names no item number or range."));
                continue;
            }

            var first = int.Parse(match.Groups["first"].Value, CultureInfo.InvariantCulture);
            var last = match.Groups["last"].Success
                ? int.Parse(match.Groups["last"].Value, CultureInfo.InvariantCulture)
                : first;
            var location = Cell(cells, file);
            yield return new PlanStatusEntry(first, last, Cell(cells, name), StatusMarks.FromText(Cell(cells, status)),
                location.Length == 0 ? null : location, line);
        }
    }

    private static IEnumerable<(IReadOnlyList<string> Cells, int Line)> Rows(Table table) =>
        table.OfType<TableRow>()
            .Where(r => !r.IsHeader)
            .Select(r => ((IReadOnlyList<string>)r.OfType<TableCell>().Select(MarkdownText.Of).ToList(),
                MarkdownText.LineOf(r)));

    private static int Column(IReadOnlyList<string> header, string word)
    {
        for (var i = 0; i < header.Count; i++)
        {
            if (header[i].Contains(word, StringComparison.OrdinalIgnoreCase))
            {
                return i;
            }
        }

        return -1;
    }

    private static string Cell(IReadOnlyList<string> cells, int column) =>
        column >= 0 && column < cells.Count ? cells[column] : "";
}
