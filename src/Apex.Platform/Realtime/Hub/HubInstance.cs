using Microsoft.Extensions.Options;

namespace Apex.Platform.Realtime.Hub;

/// <summary>This instance's identity and whether it still takes new connections (not while shutting down).</summary>
public sealed class HubInstance(IOptions<HubOptions> options)
{
    private volatile bool _accepting = true;

    public string Id { get; } = string.IsNullOrWhiteSpace(options.Value.InstanceId) ? $"hub-{Guid.NewGuid():N}"[..12] : options.Value.InstanceId;

    public bool Accepting => _accepting;

    public void StopAccepting() => _accepting = false;
}
