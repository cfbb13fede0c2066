namespace Apex.Coverage.Web.Results;

/// <summary>
/// The dashboard's one notifier shape (eShop's): subscribers are async callbacks handed out as
/// disposable subscriptions; each is awaited, and one that throws is logged and never stops the
/// others or the publisher. A Blazor component passes a callback that runs through its
/// InvokeAsync and hands its own failures to DispatchExceptionAsync (see LiveComponent).
/// </summary>
public sealed class Notifier(ILogger logger)
{
    private readonly Lock _gate = new();
    private readonly List<Func<Task>> _subscribers = [];

    public IDisposable Subscribe(Func<Task> callback)
    {
        lock (_gate)
        {
            _subscribers.Add(callback);
        }

        return new Subscription(this, callback);
    }

    public async Task PublishAsync()
    {
        Func<Task>[] subscribers;
        lock (_gate)
        {
            subscribers = [.. _subscribers];
        }

        foreach (var subscriber in subscribers)
        {
            try
            {
                await subscriber();
            }
            catch (Exception error)
            {
                logger.LogWarning(error, "A subscriber failed");
            }
        }
    }

    private sealed class Subscription(Notifier notifier, Func<Task> callback) : IDisposable
    {
        public void Dispose()
        {
            lock (notifier._gate)
            {
                notifier._subscribers.Remove(callback);
            }
        }
    }
}
