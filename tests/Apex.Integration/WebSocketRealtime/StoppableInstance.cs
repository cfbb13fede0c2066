using Apex.Integration.Infrastructure;

namespace Apex.Integration.WebSocketRealtime;

/// <summary>
/// A platform instance that a test stops on purpose (a graceful shutdown, observed while it runs),
/// and that is stopped anyway when the test fails before it got there.
/// </summary>
public sealed class StoppableInstance(PlatformInstance instance) : IAsyncDisposable
{
    private Task? _stopping;

    public PlatformInstance Instance => instance;

    /// <summary>Starts the stop once; later calls return the same stop.</summary>
    public Task StopAsync() => _stopping ??= instance.DisposeAsync().AsTask();

    public async ValueTask DisposeAsync() => await StopAsync();
}
