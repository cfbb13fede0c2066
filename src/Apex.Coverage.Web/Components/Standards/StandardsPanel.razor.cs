using Apex.Coverage.Web.Standards;
using Microsoft.AspNetCore.Components;

namespace Apex.Coverage.Web.Components.Standards;

public sealed partial class StandardsPanel
{
    [Inject] private StandardsService Standards { get; set; } = null!;

    /// <summary>The plan items whose test classes the panel shows (one item, or a category's items).</summary>
    [Parameter, EditorRequired] public IReadOnlyCollection<int> Items { get; set; } = [];

    /// <summary>Anything that changes when the page refreshes; the panel reads again on each new value.</summary>
    [Parameter] public object? Version { get; set; }

    private StandardsReport? _report;
    private IReadOnlyList<CheckedTestClass> _classes = [];
    private IReadOnlyList<StandardFinding> _findings = [];

    protected override async Task OnParametersSetAsync()
    {
        _report = await Standards.GetAsync();
        var items = Items.ToHashSet();
        _classes = _report is null ? [] : [.. _report.TestClasses.Where(c => c.PlanItems.Any(items.Contains))];
        _findings = _report?.ForItems(items) ?? [];
    }
}
