namespace Apex.Integration.LeakWorkload;

/// <summary>
/// The component under watch: each subscriber holds state (a buffer) until its subscription is
/// disposed. A caller that never disposes leaks what its listeners hold.
/// </summary>
internal sealed class NotificationHub
{
    private readonly List<Listener> _listeners = [];

    public int Count
    {
        get { lock (_listeners) return _listeners.Count; }
    }

    public IDisposable Subscribe(Listener listener)
    {
        lock (_listeners) _listeners.Add(listener);
        return new Subscription(() => { lock (_listeners) _listeners.Remove(listener); });
    }

    public void Publish(string message)
    {
        lock (_listeners)
        {
            foreach (var listener in _listeners) listener.Last = message;
        }
    }

    private sealed class Subscription(Action dispose) : IDisposable
    {
        public void Dispose() => dispose();
    }
}

internal sealed class Listener(int bytes)
{
    public byte[] State { get; } = new byte[bytes];

    public string? Last { get; set; }
}
