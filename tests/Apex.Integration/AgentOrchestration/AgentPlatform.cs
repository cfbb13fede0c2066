using System.Net.Http.Headers;
using Apex.Integration.Fakes;
using Apex.Integration.Infrastructure;
using Apex.Platform.Auth;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace Apex.Integration.AgentOrchestration;

/// <summary>
/// One agent test class's world: its own database and key prefix, the fake LLM provider and price
/// catalog, and as many real platform instances on them as the test needs (a second one is the
/// platform after a restart). Users are signed in each in a tenant of their own.
/// </summary>
public sealed class AgentPlatform : IAsyncDisposable
{
    private readonly List<HttpClient> _clients = [];
    private readonly List<PlatformInstance> _instances = [];
    private readonly string _owner;
    private readonly string _redis;
    private string _database = string.Empty;

    private AgentPlatform(string owner, string redis)
    {
        _owner = owner;
        _redis = redis;
    }

    public FakeLlmProvider Llm { get; private set; } = null!;

    public FakePricingCatalog Catalog { get; private set; } = null!;

    public PlatformInstance Instance { get; private set; } = null!;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public static async Task<AgentPlatform> StartAsync(
        PostgresServer postgres, RedisServer redis, string owner, IReadOnlyDictionary<string, string?>? extra = null, Action<IServiceCollection>? services = null)
    {
        var platform = new AgentPlatform(owner, redis.ConnectionString);
        platform.Llm = await FakeLlmProvider.StartNewAsync();
        platform.Catalog = await FakePricingCatalog.StartNewAsync();
        platform._database = await postgres.CreateDatabaseAsync(owner);
        platform.Instance = await platform.StartInstanceAsync(extra, services);
        return platform;
    }

    /// <summary>Another platform process on the same database, as after a restart or on a second node.</summary>
    public async Task<PlatformInstance> StartInstanceAsync(IReadOnlyDictionary<string, string?>? extra = null, Action<IServiceCollection>? services = null)
    {
        var settings = new Dictionary<string, string?>
        {
            ["Platform:Llm:Endpoint"] = Llm.Endpoint.ToString(),
            ["Platform:Llm:ApiKey"] = FakeLlmProvider.ApiKey,
            ["Platform:Llm:Model"] = FakeLlmProvider.Model,
            ["Platform:Llm:MaxRetries"] = "0",
            ["Platform:Agents:PricingCatalogUrl"] = Catalog.BaseAddress.ToString(),
        };
        foreach (var (key, value) in extra ?? new Dictionary<string, string?>()) settings[key] = value;
        var instance = await PlatformInstance.StartAsync(
            new PlatformSettings(_database, _redis, RedisServer.NewKeyPrefix(_owner)) { Services = ["agents"], Extra = settings }, services);
        _instances.Add(instance);
        return instance;
    }

    public async Task StopInstanceAsync(PlatformInstance instance)
    {
        _instances.Remove(instance);
        await instance.DisposeAsync();
    }

    public T Service<T>(PlatformInstance? instance = null) where T : notnull => (instance ?? Instance).Services.GetRequiredService<T>();

    public NpgsqlDataSource Database => Service<NpgsqlDataSource>();

    /// <summary>A user in a tenant of their own (a fresh email domain), with a client carrying their token.</summary>
    public async Task<SignedIn> SignInAsync(PlatformInstance? instance = null)
    {
        var subject = Guid.NewGuid().ToString("N");
        var user = await Service<UserDirectory>(instance)
            .UpsertFromProviderAsync("oauth", new ExternalIdentity(subject, $"ana@{subject}.example", "Ana"), Ct);
        var token = Service<AccessTokenIssuer>(instance).Issue(user, Guid.NewGuid().ToString("N")).AccessToken;
        var context = new UserContext(user.Id, user.TenantId, "tests", Guid.NewGuid().ToString("N"));
        return new SignedIn(ClientFor(instance ?? Instance, token), token, context);
    }

    public HttpClient ClientFor(PlatformInstance instance, string token)
    {
        var client = new HttpClient { BaseAddress = instance.BaseAddress };
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        _clients.Add(client);
        return client;
    }

    public async ValueTask DisposeAsync()
    {
        _clients.ForEach(client => client.Dispose());
        foreach (var instance in _instances) await instance.DisposeAsync();
        await Catalog.DisposeAsync();
        await Llm.DisposeAsync();
    }
}

public sealed record SignedIn(HttpClient Client, string Token, UserContext User);
