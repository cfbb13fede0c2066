using Apex.Coverage.Web.Plan;
using Microsoft.AspNetCore.Components;

namespace Apex.Coverage.Web.Components.Plan;

/// <summary>
/// A component that shows the current catalog and renders again when an import publishes a new
/// one (or is rejected), calling back onto its circuit through InvokeAsync.
/// </summary>
public abstract class PlanCatalogComponent : LiveComponent
{
    [Inject]
    protected PlanCatalog Catalog { get; set; } = null!;

    protected PlanSnapshot? Snapshot => Catalog.Current;

    protected override void OnInitialized() =>
        Keep(Catalog.Subscribe(() => RefreshOnCircuit(OnCatalogChangedAsync)));

    protected virtual Task OnCatalogChangedAsync() => Task.CompletedTask;
}
