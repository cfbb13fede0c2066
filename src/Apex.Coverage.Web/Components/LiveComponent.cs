using Microsoft.AspNetCore.Components;

namespace Apex.Coverage.Web.Components;

/// <summary>
/// A component that refreshes when a server-side notifier calls it (eShop's
/// OrdersRefreshOnStatusChange): the refresh runs on the circuit through InvokeAsync, and what it
/// throws goes to DispatchExceptionAsync - the circuit's error handling - instead of being lost in
/// a discarded task. Subclasses hold their subscriptions and dispose them in <see cref="Dispose"/>.
/// </summary>
public abstract class LiveComponent : ComponentBase, IDisposable
{
    private readonly List<IDisposable> _subscriptions = [];

    /// <summary>Keeps a subscription until the component goes away.</summary>
    protected void Keep(IDisposable subscription) => _subscriptions.Add(subscription);

    /// <summary>Runs <paramref name="refresh"/> on the circuit and renders; failures reach the circuit.</summary>
    protected Task RefreshOnCircuitAsync(Func<Task> refresh) => InvokeAsync(async () =>
    {
        try
        {
            await refresh();
            StateHasChanged();
        }
        catch (Exception error)
        {
            await DispatchExceptionAsync(error);
        }
    });

    /// <summary>For synchronous notifiers (Action callbacks): the same, without waiting for it.</summary>
    protected void RefreshOnCircuit(Func<Task> refresh) => RefreshOnCircuitAsync(refresh);

    public void Dispose()
    {
        _subscriptions.ForEach(s => s.Dispose());
        _subscriptions.Clear();
        GC.SuppressFinalize(this);
    }
}
