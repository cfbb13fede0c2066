using Apex.Platform.Auth.Permissions;
using Microsoft.Extensions.Options;

namespace Apex.Platform.Auth.RateLimiting;

/// <summary>
/// Puts a tenant on a tier (what billing does on an upgrade). The tier is part of the tenant's
/// access, so the change bumps its version: the next request on any instance runs at the new limit.
/// </summary>
public sealed class TenantTiers(PermissionStore store, AccessResolver access, IOptions<RateLimitOptions> options)
{
    public async Task SetAsync(Guid tenantId, string tier, CancellationToken cancellationToken)
    {
        if (!options.Value.Tiers.ContainsKey(tier))
        {
            throw new ArgumentOutOfRangeException(nameof(tier), tier, $"Known tiers: {string.Join(", ", options.Value.Tiers.Keys)}.");
        }

        await store.SetTierAsync(tenantId, tier, cancellationToken);
        await access.ChangedAsync(tenantId);
    }
}
