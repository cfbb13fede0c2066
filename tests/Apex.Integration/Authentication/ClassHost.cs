using Apex.Integration.Fakes;
using Apex.Integration.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Time.Testing;

namespace Apex.Integration.Authentication;

/// <summary>
/// The platform (one instance, or two sharing PostgreSQL and Redis) of one test class, started
/// once and shared by its tests, which xunit runs one after another. Tests isolate themselves by
/// tenant (email domain) and user rather than each paying for a database and a host; classes
/// stay isolated from each other by their own database and key prefix, so they run in parallel.
/// Time is the class's FakeTimeProvider, which only moves forward.
/// </summary>
public abstract class ClassHost(PostgresServer postgres, RedisServer redis) : IAsyncLifetime
{
    private readonly List<IAsyncDisposable> _owned = [];

    public FakeTimeProvider Clock { get; } = new(DateTimeOffset.UtcNow);

    public FakeOAuthProvider Provider { get; private set; } = null!;

    public string Database { get; private set; } = string.Empty;

    public string RedisPrefix { get; private set; } = string.Empty;

    public PlatformInstance A { get; protected set; } = null!;

    /// <summary>The second instance, when the class needs two.</summary>
    public PlatformInstance B { get; protected set; } = null!;

    protected RedisServer Redis => redis;

    protected abstract string Owner { get; }

    protected virtual string[] Services => ["auth"];

    protected virtual bool TwoInstances => false;

    /// <summary>Settings beyond the OAuth provider; may start the external fakes they point at.</summary>
    protected virtual Task<Dictionary<string, string?>> ExtraSettingsAsync() => Task.FromResult(new Dictionary<string, string?>());

    public async ValueTask InitializeAsync()
    {
        Provider = Own(await FakeOAuthProvider.StartNewAsync());
        Database = await postgres.CreateDatabaseAsync(Owner);
        RedisPrefix = RedisServer.NewKeyPrefix(Owner);
        var extra = new Dictionary<string, string?>(AuthApi.OAuthSettings(Provider));
        foreach (var (key, value) in await ExtraSettingsAsync()) extra[key] = value;
        await StartPlatformsAsync(extra);
    }

    protected virtual async Task StartPlatformsAsync(Dictionary<string, string?> extra)
    {
        A = await StartAsync(Services, extra);
        if (TwoInstances) B = await StartAsync(Services, extra);
    }

    protected async Task<PlatformInstance> StartAsync(string[] services, IReadOnlyDictionary<string, string?> extra) =>
        Own(await PlatformInstance.StartAsync(new PlatformSettings(Database, redis.ConnectionString, RedisPrefix) { Services = services, Extra = extra },
            s => s.Replace(ServiceDescriptor.Singleton<TimeProvider>(Clock))));

    protected T Own<T>(T disposable) where T : IAsyncDisposable
    {
        _owned.Add(disposable);
        return disposable;
    }

    public async ValueTask DisposeAsync()
    {
        for (var i = _owned.Count - 1; i >= 0; i--) await _owned[i].DisposeAsync();
        GC.SuppressFinalize(this);
    }
}
