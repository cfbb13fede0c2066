using Apex.Platform.Auth.Events;

namespace Apex.Platform.Auth.Permissions;

/// <summary>
/// Drops this instance's cached grants of a tenant as soon as any instance announces a change.
/// Correctness does not depend on it (the version check does that); it frees stale entries early.
/// </summary>
internal sealed class AccessCacheInvalidator(AuthEventBus events, AccessResolver access) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken) => events.SubscribeAsync(e =>
    {
        if (e.Kind == AuthEvent.PermissionsChanged) access.Evict(e.TenantId);
        return Task.CompletedTask;
    });

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
