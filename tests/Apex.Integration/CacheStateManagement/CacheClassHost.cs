using Apex.Integration.Infrastructure;
using Microsoft.Extensions.Time.Testing;

namespace Apex.Integration.CacheStateManagement;

/// <summary>
/// What one test class of the category shares: a PostgreSQL database, a Redis key prefix, a
/// platform clock that only moves forward, and the nodes it starts (stopped with the class).
/// Tests in a class run one after another and isolate themselves by key.
/// </summary>
public abstract class CacheClassHost(PostgresServer postgres, RedisServer redis) : IAsyncLifetime
{
    private readonly List<IAsyncDisposable> _owned = [];

    // Whole milliseconds: expiry times round-trip through Redis as Unix milliseconds.
    public FakeTimeProvider Clock { get; } = new(DateTimeOffset.FromUnixTimeMilliseconds(DateTimeOffset.UtcNow.ToUnixTimeMilliseconds()));

    public string Database { get; private set; } = string.Empty;

    public string Prefix { get; private set; } = string.Empty;

    public string AdminConnectionString => postgres.AdminConnectionString;

    protected RedisServer Redis => redis;

    protected abstract string Owner { get; }

    /// <summary>Another empty database, for a test that must not disturb the class's own.</summary>
    public Task<string> CreateDatabaseAsync(string owner) => postgres.CreateDatabaseAsync(owner);

    public virtual async ValueTask InitializeAsync()
    {
        Database = await postgres.CreateDatabaseAsync(Owner);
        Prefix = RedisServer.NewKeyPrefix(Owner);
    }

    /// <summary>The settings of a node of this class against <paramref name="redisConnection"/> (the assembly's Redis by default).</summary>
    public Dictionary<string, string?> Settings(IReadOnlyDictionary<string, string?>? extra = null, string? redisConnection = null)
    {
        var settings = new Dictionary<string, string?>
        {
            ["Platform:Postgres:ConnectionString"] = Database,
            // A loaded 2-core machine can starve the client for seconds (a SET answered in the socket
            // buffer timed out at the default 5 s in one of 20 category runs at load 35): slowness is
            // not what this category tests, so the default connection waits longer.
            ["Platform:Redis:ConnectionString"] = redisConnection ?? redis.ConnectionString + ",syncTimeout=15000,asyncTimeout=15000",
            ["Platform:Redis:KeyPrefix"] = Prefix,
        };
        foreach (var (key, value) in extra ?? new Dictionary<string, string?>()) settings[key] = value;
        return settings;
    }

    public async Task<CacheNode> StartNodeAsync(IReadOnlyDictionary<string, string?>? extra = null, Action<IServiceProvider>? beforeStart = null,
        string? redisConnection = null) =>
        Own(await CacheNode.StartAsync(Settings(extra, redisConnection), Clock, beforeStart));

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
