using System.Globalization;
using System.Text.RegularExpressions;
using Markdig.Extensions.Tables;
using Markdig.Syntax;

namespace Apex.Coverage.Web.Plan;

/// <summary>
/// Walks the top-level blocks of a plan's syntax tree in order and keeps track of where it is:
/// the part (## heading), the category section or roadmap phase (###) and the item (####).
/// </summary>
internal sealed partial class PlanDocumentBuilder(List<PlanFinding> findings)
{
    private enum Part { Preamble, Other, Roadmap, Standards, Metrics }

    [GeneratedRegex(@"^(?<name>.+?)\s*\(\s*Tests?\s+(?<first>\d+)\s*[-–]\s*(?<last>\d+)\s*\)\s*(?:[-–—:]\s*(?<mrr>.*))?$")]
    private static partial Regex CategoryHeading();

    [GeneratedRegex(@"^(?<number>\d+)\.\s*(?<rest>.*)$")]
    private static partial Regex ItemHeading();

    [GeneratedRegex(@"(?<first>\d+)(?:\s*[-–]\s*(?<last>\d+))?(?:\s*\((?<label>[^)]*)\))?")]
    private static partial Regex Range();

    private readonly List<PlanMetric> _header = [];
    private readonly List<OverviewRow> _overview = [];
    private readonly List<SectionHeading> _sections = [];
    private readonly List<PlanItem> _items = [];
    private readonly List<PlanStatusEntry> _status = [];
    private readonly List<RoadmapPhase> _phases = [];
    private readonly List<TestingStandard> _standards = [];
    private readonly List<PlanMetric> _metrics = [];
    private string _title = "";
    private Part _part = Part.Preamble;
    private SectionHeading? _section;
    private ItemDraft? _item;
    private PhaseDraft? _phase;
    private string _standardsSection = "";
    private int _headingLevel;

    public void Visit(Block block)
    {
        switch (block)
        {
            case HeadingBlock heading:
                OnHeading(heading);
                break;
            case Table table:
                OnTable(table);
                break;
            case ListBlock list:
                OnList(list);
                break;
            case QuoteBlock quote when _part == Part.Preamble:
                _header.AddRange(MarkdownText.LabelledLines(quote).Select(l => new PlanMetric(l.Label, l.Text, l.Line)));
                break;
        }
    }

    public PlanDocument Build()
    {
        FlushDrafts();
        var statedTotal = _header
            .Where(m => m.Label.Contains("total", StringComparison.OrdinalIgnoreCase)
                && m.Label.Contains("mrr", StringComparison.OrdinalIgnoreCase))
            .Select(m => MoneyFigure.Find(m.Text))
            .FirstOrDefault(m => m is not null);
        return new PlanDocument(_title, _header, statedTotal, MergeCategories(), _items, _status, _phases,
            _standards, SuccessMetricsReader.From(_metrics));
    }

    private void OnHeading(HeadingBlock heading)
    {
        FlushDrafts();
        var line = MarkdownText.LineOf(heading);
        if (_headingLevel > 0 && heading.Level > _headingLevel + 1)
        {
            findings.Add(PlanFinding.Warning("heading-level-skipped", line,
                $"A level-{heading.Level} heading follows a level-{_headingLevel} heading: a level is skipped."));
        }

        _headingLevel = heading.Level;
        var text = MarkdownText.Of(heading);
        switch (heading.Level)
        {
            case 1 when _title.Length == 0:
                _title = text;
                break;
            case 2:
                (_part, _section, _standardsSection) = (PartOf(text), null, "");
                break;
            case 3:
                OnSubheading(text, line);
                break;
            case 4:
                OnItemHeading(text, line);
                break;
        }
    }

    private void OnSubheading(string text, int line)
    {
        _section = null;
        var match = CategoryHeading().Match(text);
        if (match.Success)
        {
            _section = ReadSectionHeading(match, line);
            _sections.Add(_section);
        }
        else if (_part == Part.Roadmap)
        {
            _phase = new PhaseDraft(text, line);
        }
        else if (_part == Part.Standards)
        {
            _standardsSection = text;
        }
    }

    private SectionHeading ReadSectionHeading(Match match, int line)
    {
        var name = match.Groups["name"].Value.Trim();
        var first = int.Parse(match.Groups["first"].Value, CultureInfo.InvariantCulture);
        var last = int.Parse(match.Groups["last"].Value, CultureInfo.InvariantCulture);
        var mrrText = match.Groups["mrr"].Value.Trim();
        var mrr = MoneyFigure.Find(mrrText);
        if (mrrText.Length > 0 && mrr is null)
        {
            findings.Add(PlanFinding.Error("section-mrr-not-numeric", line,
                $"The section heading of '{name}' states the MRR '{mrrText}', which holds no dollar figure such as $150K."));
        }

        if (first > last)
        {
            findings.Add(PlanFinding.Warning("section-range-reversed", line,
                $"The section '{name}' states the item range {first}-{last}, which runs backwards."));
        }

        if (_sections.Any(s => CategorySlug.From(s.Name) == CategorySlug.From(name)))
        {
            findings.Add(PlanFinding.Warning("duplicate-category-section", line,
                $"The category '{name}' has a second detailed section."));
        }

        return new SectionHeading(name, first, last, mrr, line);
    }

    private void OnItemHeading(string text, int line)
    {
        var match = ItemHeading().Match(text);
        if (!match.Success)
        {
            return;
        }

        var number = int.Parse(match.Groups["number"].Value, CultureInfo.InvariantCulture);
        if (_section is null)
        {
            findings.Add(PlanFinding.Error("item-outside-category", line,
                $"Item {number} stands outside any category section: its heading comes before a "
                + "'### Category (Tests a-b) - $X MRR' heading or after another part of the plan."));
            return;
        }

        var (mark, name) = StatusMarks.SplitLeadingMark(match.Groups["rest"].Value.Trim());
        _item = new ItemDraft(number, name, CategorySlug.From(_section.Name), mark, line);
    }

    private void OnTable(Table table)
    {
        var header = PlanTableReader.Header(table);
        if (PlanTableReader.IsOverview(header))
        {
            _overview.AddRange(PlanTableReader.ReadOverview(table, findings));
        }
        else if (PlanTableReader.IsStatus(header))
        {
            _status.AddRange(PlanTableReader.ReadStatus(table, findings));
        }
    }

    private void OnList(ListBlock list)
    {
        foreach (var line in list.OfType<ListItemBlock>().SelectMany(MarkdownText.LabelledLines))
        {
            if (_item is not null)
            {
                ReadItemField(_item, line);
            }
            else if (_phase is not null)
            {
                ReadPhaseField(_phase, line);
            }
            else if (_part == Part.Standards)
            {
                _standards.Add(new TestingStandard(_standardsSection, line.Label, line.Text, line.Line));
            }
            else if (_part == Part.Metrics)
            {
                _metrics.Add(new PlanMetric(line.Label, line.Text, line.Line));
            }
        }
    }

    private static void ReadItemField(ItemDraft item, LabelledLine line)
    {
        switch (line.Label.ToUpperInvariant())
        {
            case "BVJ":
            case "BUSINESS VALUE JUSTIFICATION":
                item.Bvj = line.Text;
                break;
            case "COMPONENTS":
                item.Components.AddRange(SplitList(line.Text));
                break;
            case "SCENARIOS":
                item.Scenarios.AddRange(SplitList(line.Text));
                break;
            case "STATUS":
                item.StatusLine = StatusMarks.FromText(line.Text);
                break;
        }
    }

    private static void ReadPhaseField(PhaseDraft phase, LabelledLine line)
    {
        if (line.Label.Equals("priority", StringComparison.OrdinalIgnoreCase))
        {
            phase.Priority = line.Text;
        }
        else if (line.Label.Equals("tests", StringComparison.OrdinalIgnoreCase))
        {
            phase.Ranges.AddRange(Range().Matches(line.Text).Select(ToRange));
        }
        else if (line.Label.Contains("mrr", StringComparison.OrdinalIgnoreCase))
        {
            phase.StatedMrr = MoneyFigure.Find(line.Text);
        }
    }

    private static ItemRange ToRange(Match match)
    {
        var first = int.Parse(match.Groups["first"].Value, CultureInfo.InvariantCulture);
        var last = match.Groups["last"].Success
            ? int.Parse(match.Groups["last"].Value, CultureInfo.InvariantCulture)
            : first;
        return new ItemRange(first, last, match.Groups["label"].Success ? match.Groups["label"].Value.Trim() : null);
    }

    private static IEnumerable<string> SplitList(string text) =>
        text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

    private static Part PartOf(string heading) => heading.ToUpperInvariant() switch
    {
        var h when h.Contains("ROADMAP", StringComparison.Ordinal) => Part.Roadmap,
        var h when h.Contains("STANDARD", StringComparison.Ordinal) => Part.Standards,
        var h when h.Contains("METRIC", StringComparison.Ordinal) => Part.Metrics,
        _ => Part.Other,
    };

    private void FlushDrafts()
    {
        if (_item is not null)
        {
            _items.Add(_item.ToItem(findings));
            _item = null;
        }

        if (_phase is not null)
        {
            _phases.Add(_phase.ToPhase());
            _phase = null;
        }
    }

    private List<PlanCategory> MergeCategories() =>
        CategoryMerge.Merge(_overview, _sections, _items, findings);
}
