using Apex.Coverage.Web.Plan;
using Microsoft.AspNetCore.Components;

namespace Apex.Coverage.Web.Components.Plan;

/// <summary>
/// A component that shows the current catalog and renders again when an import publishes a new
/// one (or is rejected), calling back onto its circuit through InvokeAsync.
/// </summary>
public abstract class PlanCatalogComponent : ComponentBase, IDisposable
{
    private IDisposable? _subscription;

    [Inject]
    protected PlanCatalog Catalog { get; set; } = null!;

    protected PlanSnapshot? Snapshot => Catalog.Current;

    protected override void OnInitialized() =>
        _subscription = Catalog.Subscribe(() => _ = InvokeAsync(OnCatalogChangedAsync));

    protected virtual Task OnCatalogChangedAsync()
    {
        StateHasChanged();
        return Task.CompletedTask;
    }

    public void Dispose()
    {
        _subscription?.Dispose();
        GC.SuppressFinalize(this);
    }
}
