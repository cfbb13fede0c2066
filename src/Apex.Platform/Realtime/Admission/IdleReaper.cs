using Apex.Platform.Realtime.Hub;
using Microsoft.Extensions.Options;

namespace Apex.Platform.Realtime.Admission;

/// <summary>
/// Every SweepInterval (platform clock), closes connections that sent nothing but pongs for
/// IdleTimeout, giving their slots back to clients that have something to say.
/// </summary>
internal sealed class IdleReaper(HubRegistry registry, IOptions<HubOptions> options, TimeProvider time) : IHostedService, IAsyncDisposable
{
    private ITimer? _timer;

    public Task StartAsync(CancellationToken cancellationToken)
    {
        var every = options.Value.SweepInterval;
        _timer = time.CreateTimer(_ => Sweep(), null, every, every);
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => DisposeAsync().AsTask();

    private void Sweep()
    {
        var cutoff = time.GetUtcNow() - options.Value.IdleTimeout;
        foreach (var connection in registry.All.Where(c => c.LastActivity <= cutoff))
        {
            connection.Close((int)System.Net.WebSockets.WebSocketCloseStatus.NormalClosure, "Closed after being idle.", "idle");
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_timer is not null) await _timer.DisposeAsync();
    }
}
