using System.Collections.Concurrent;
using System.Net.Sockets;
using Apex.Platform.Auth.Events;
using Apex.Platform.Caching;
using Microsoft.Extensions.Options;
using Npgsql;
using Polly;
using Polly.CircuitBreaker;
using StackExchange.Redis;

namespace Apex.Platform.Auth.Permissions;

public enum AccessSource { Database, Cache, Fallback }

/// <summary>What a user may do: effective permissions, role and tier, and where the answer came from.</summary>
public sealed record AccessGrant(IReadOnlyList<string> Permissions, string Role, string Tier, AccessSource Source)
{
    public bool Allows(string permission) => Permissions.Contains(permission, StringComparer.Ordinal);
}

public sealed class AuthStoreUnavailableException(string message, Exception? inner = null) : Exception(message, inner);

/// <summary>
/// Resolves a user's access with a per-instance cache that stays coherent across instances: every
/// change bumps the tenant's version in Redis, and a cached grant is used only while its version is
/// current (one Redis read per request instead of a PostgreSQL query). A stale entry is kept, not
/// dropped: it is the last known grant, which the fallback needs. PostgreSQL is read through a
/// circuit breaker on the platform's clock; while it is down, a grant fetched within
/// <see cref="AccessOptions.FallbackMaxAge"/> still authorizes, anyone else gets a 503.
/// </summary>
public sealed class AccessResolver
{
    private readonly ConcurrentDictionary<Guid, CachedGrant> _cache = new();
    private readonly CircuitBreakerStateProvider _breaker = new();
    private readonly ResiliencePipeline _primary;
    private readonly PermissionStore _store;
    private readonly IConnectionMultiplexer _redis;
    private readonly RedisKeys _keys;
    private readonly TimeProvider _time;
    private readonly AuthEventBus _events;
    private readonly AccessOptions _options;

    public AccessResolver(PermissionStore store, IConnectionMultiplexer redis, RedisKeys keys, TimeProvider time, AuthEventBus events, IOptions<AccessOptions> options)
    {
        (_store, _redis, _keys, _time, _events, _options) = (store, redis, keys, time, events, options.Value);
        _primary = new ResiliencePipelineBuilder { TimeProvider = time }.AddCircuitBreaker(new CircuitBreakerStrategyOptions
        {
            FailureRatio = _options.FailureRatio,
            MinimumThroughput = _options.MinimumThroughput,
            SamplingDuration = TimeSpan.FromMinutes(1),
            BreakDuration = _options.BreakDuration,
            StateProvider = _breaker,
            ShouldHandle = new PredicateBuilder().Handle<NpgsqlException>(e => e is not PostgresException || e.IsTransient)
                .Handle<SocketException>().Handle<IOException>().Handle<TimeoutException>(),
        }).Build();
    }

    /// <summary>closed, open or half-open: whether the auth store is being asked.</summary>
    public CircuitState AuthStoreCircuit => _breaker.CircuitState;

    public async Task<AccessGrant> ResolveAsync(UserContext user, CancellationToken cancellationToken)
    {
        var version = await VersionAsync(user.TenantId);
        _cache.TryGetValue(user.UserId, out var cached);
        if (cached is not null && cached.Version == version) return cached.Grant with { Source = AccessSource.Cache };
        try
        {
            var grant = await _primary.ExecuteAsync(async token => await _store.LoadAsync(user.UserId, user.TenantId, token), cancellationToken);
            _cache[user.UserId] = new CachedGrant(version, grant, _time.GetUtcNow());
            return grant;
        }
        catch (Exception e) when (e is BrokenCircuitException or NpgsqlException or SocketException or IOException or TimeoutException)
        {
            if (cached is not null && _time.GetUtcNow() - cached.FetchedAt <= _options.FallbackMaxAge)
            {
                return cached.Grant with { Source = AccessSource.Fallback };
            }

            throw new AuthStoreUnavailableException("The auth store is unavailable and this user has no recent cached access; try again shortly.", e);
        }
    }

    /// <summary>Records that the tenant's access changed: caches everywhere go stale now, listeners hear of it.</summary>
    public async Task ChangedAsync(Guid tenantId)
    {
        await _redis.GetDatabase().StringIncrementAsync(VersionKey(tenantId));
        await _events.PublishAsync(new AuthEvent(AuthEvent.PermissionsChanged, tenantId));
    }

    private async Task<long> VersionAsync(Guid tenantId) => (long?)await _redis.GetDatabase().StringGetAsync(VersionKey(tenantId)) ?? 0;

    private RedisKey VersionKey(Guid tenantId) => _keys.Key($"auth:access-version:{tenantId}");

    private sealed record CachedGrant(long Version, AccessGrant Grant, DateTimeOffset FetchedAt);
}
