using Apex.Integration.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace Apex.Integration.AgentOrchestration;

/// <summary>
/// One <see cref="AgentPlatform"/> shared by every test of a class (a class fixture): the platform
/// starts once, and tests keep apart by signing in to a tenant of their own.
/// </summary>
public abstract class AgentClassHost(PostgresServer postgres, RedisServer redis) : IAsyncLifetime
{
    public AgentPlatform Agents { get; private set; } = null!;

    protected PostgresServer Postgres => postgres;

    protected RedisServer Redis => redis;

    protected abstract string Owner { get; }

    protected virtual IReadOnlyDictionary<string, string?>? Settings => null;

    protected virtual void AddServices(IServiceCollection services)
    {
    }

    public virtual async ValueTask InitializeAsync() => Agents = await AgentPlatform.StartAsync(postgres, redis, Owner, Settings, AddServices);

    public virtual async ValueTask DisposeAsync()
    {
        await Agents.DisposeAsync();
        GC.SuppressFinalize(this);
    }
}
