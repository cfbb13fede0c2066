namespace Apex.Coverage.Web.Plan;

/// <summary>A detailed category section as its heading states it.</summary>
internal sealed record SectionHeading(string Name, int First, int Last, decimal? Mrr, int Line);

/// <summary>An item while its heading's list is still being read.</summary>
internal sealed class ItemDraft(int number, string name, string categorySlug, DeclaredStatus? mark, int line)
{
    public int Number => number;
    public int Line => line;
    public string? Bvj { get; set; }
    public DeclaredStatus? StatusLine { get; set; }
    public List<string> Components { get; } = [];
    public List<string> Scenarios { get; } = [];

    public PlanItem ToItem(ICollection<PlanFinding> findings)
    {
        if (Bvj is null)
        {
            findings.Add(PlanFinding.Warning("item-without-bvj", line,
                $"Item {number} '{name}' has no BVJ line, so it carries no dollar figure."));
        }

        var figure = Bvj is null ? null : MoneyFigure.FindMrr(Bvj);
        if (Bvj is not null && figure is null)
        {
            findings.Add(PlanFinding.Warning("bvj-without-figure", line,
                $"Item {number} '{name}' has a BVJ without a dollar figure such as $15K."));
        }

        if (mark is { } m && StatusLine is { } s && m != s)
        {
            findings.Add(PlanFinding.Warning("item-status-conflict", line,
                $"Item {number} '{name}' is marked {m} in its heading but {s} in its Status line."));
        }

        var status = mark == DeclaredStatus.Implemented || StatusLine == DeclaredStatus.Implemented
            ? DeclaredStatus.Implemented
            : DeclaredStatus.Planned;
        return new PlanItem(number, name, categorySlug, Bvj ?? "", figure, Components, Scenarios, status, line);
    }
}

/// <summary>A roadmap phase while its list is still being read.</summary>
internal sealed class PhaseDraft(string name, int line)
{
    public string? Priority { get; set; }
    public List<ItemRange> Ranges { get; } = [];
    public decimal? StatedMrr { get; set; }

    public RoadmapPhase ToPhase() => new(name, Priority, Ranges, StatedMrr, line);
}
