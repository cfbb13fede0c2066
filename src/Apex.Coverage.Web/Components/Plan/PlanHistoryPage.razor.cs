using Apex.Coverage.Web.Plan;
using Microsoft.AspNetCore.Components;

namespace Apex.Coverage.Web.Components.Plan;

public sealed partial class PlanHistoryPage
{
    private IReadOnlyList<PlanVersionSummary>? _versions;

    [Inject]
    private PlanHistory History { get; set; } = null!;

    protected override async Task OnInitializedAsync()
    {
        _versions = await History.ListAsync(CancellationToken.None);
    }

    protected override async Task OnCatalogChangedAsync()
    {
        _versions = await History.ListAsync(CancellationToken.None);
        StateHasChanged();
    }

    private static string Heading(PlanVersionSummary version) =>
        $"Version {version.Number} · {TimeWords.Moment(version.ImportedAt)} · {version.ItemCount} items · "
        + $"{PlanFormat.Money(version.TotalMrr)} · {version.Changes.Count} changes";

    private static string Describe(PlanChangeKind kind) => kind switch
    {
        PlanChangeKind.ItemAdded => "item added",
        PlanChangeKind.ItemRemoved => "item removed",
        PlanChangeKind.ItemRenamed => "item renamed",
        PlanChangeKind.ItemMoved => "item moved",
        PlanChangeKind.BvjChanged => "BVJ changed",
        PlanChangeKind.ComponentsChanged => "components changed",
        PlanChangeKind.ScenariosChanged => "scenarios changed",
        PlanChangeKind.StatusChanged => "declared status changed",
        PlanChangeKind.CategoryAdded => "category added",
        PlanChangeKind.CategoryRemoved => "category removed",
        PlanChangeKind.CategoryMrrChanged => "category MRR changed",
        PlanChangeKind.CategoryCountChanged => "category count changed",
        PlanChangeKind.CategoryPriorityChanged => "category priority changed",
        _ => kind.ToString(),
    };
}
