using Apex.Integration.Infrastructure;
using Apex.Platform.Auth;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Time.Testing;

namespace Apex.Integration.WebSocketRealtime;

/// <summary>
/// The platform instances of one test class (the "realtime" service alone unless a class asks for
/// more), started once and shared by its tests, which isolate themselves by tenant and user. The
/// class has its own database and Redis key prefix, so classes run in parallel; every instance runs
/// on the class's FakeTimeProvider, so heartbeats, expiries and sweeps happen when a test advances it.
/// </summary>
public abstract class RealtimeHost(PostgresServer postgres, RedisServer redis) : IAsyncLifetime
{
    private readonly List<IAsyncDisposable> _owned = [];

    public FakeTimeProvider Clock { get; } = new(DateTimeOffset.UtcNow);

    public string Database { get; private set; } = string.Empty;

    public string RedisPrefix { get; private set; } = string.Empty;

    public PlatformInstance A { get; private set; } = null!;

    public PlatformInstance B { get; private set; } = null!;

    protected RedisServer Redis => redis;

    protected abstract string Owner { get; }

    protected virtual int Instances => 1;

    protected virtual string[] Services => ["realtime"];

    /// <summary>Configuration for every instance, e.g. "Platform:Realtime:MaxConnections".</summary>
    protected virtual Task<Dictionary<string, string?>> SettingsAsync() => Task.FromResult(new Dictionary<string, string?>());

    public virtual async ValueTask InitializeAsync()
    {
        Database = await postgres.CreateDatabaseAsync(Owner);
        RedisPrefix = RedisServer.NewKeyPrefix(Owner);
        A = Own(await StartInstanceAsync("a"));
        if (Instances > 1) B = Own(await StartInstanceAsync("b"));
    }

    /// <summary>Another instance on the same database, Redis prefix and clock; the caller disposes it.</summary>
    public async Task<PlatformInstance> StartInstanceAsync(string name)
    {
        var extra = await SettingsAsync();
        extra["Platform:Realtime:InstanceId"] = name;
        return await PlatformInstance.StartAsync(new PlatformSettings(Database, redis.ConnectionString, RedisPrefix) { Services = Services, Extra = extra },
            s => s.Replace(ServiceDescriptor.Singleton<TimeProvider>(Clock)));
    }

    public static PlatformUser NewUser(Guid? tenantId = null)
    {
        var id = Guid.NewGuid();
        return new PlatformUser(id, tenantId ?? Guid.NewGuid(), $"{id:N}@realtime.test", "Tab User");
    }

    /// <summary>An access token from the platform's own issuer, on the platform clock.</summary>
    public string TokenFor(PlatformUser user, string? loginSession = null) =>
        A.Services.GetRequiredService<AccessTokenIssuer>().Issue(user, loginSession ?? Guid.NewGuid().ToString("N")).AccessToken;

    protected T Own<T>(T disposable) where T : IAsyncDisposable
    {
        _owned.Add(disposable);
        return disposable;
    }

    // Everything is released even when one disposal throws; then the failures are reported, so a
    // shutdown that throws fails the class's cleanup instead of hiding in a log line.
    public async ValueTask DisposeAsync()
    {
        var failures = new List<Exception>();
        for (var i = _owned.Count - 1; i >= 0; i--)
        {
            try
            {
                await _owned[i].DisposeAsync();
            }
            catch (Exception e)
            {
                failures.Add(e);
            }
        }

        GC.SuppressFinalize(this);
        if (failures.Count > 0) throw new AggregateException("Releasing the class's platform instances failed.", failures);
    }
}
