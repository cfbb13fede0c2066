using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Apex.Platform.Data.ClickHouse;

public static class ClickHouseServiceCollectionExtensions
{
    /// <summary>The ClickHouse client and the tables capabilities register, created at start.</summary>
    public static IServiceCollection AddClickHouse(this IServiceCollection services)
    {
        services.AddOptions<ClickHouseOptions>().BindConfiguration(ClickHouseOptions.SectionName).ValidateDataAnnotations().ValidateOnStart();
        services.AddHttpClient<ClickHouseHttpClient>(client => client.Timeout = TimeSpan.FromSeconds(30));
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IHostedService, ClickHouseSchemaInitializer>());
        return services;
    }

    public static IServiceCollection AddClickHouseTable(this IServiceCollection services, string name, string ddl)
    {
        services.AddSingleton(new ClickHouseTable(name, ddl));
        return services;
    }
}

/// <summary>A table as idempotent DDL (CREATE TABLE IF NOT EXISTS), applied in the configured database at start.</summary>
public sealed record ClickHouseTable(string Name, string Ddl);

internal sealed class ClickHouseSchemaInitializer(IServiceProvider services, IEnumerable<ClickHouseTable> tables) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var client = services.GetRequiredService<ClickHouseHttpClient>();
        foreach (var table in tables) await client.ExecuteAsync(table.Ddl, cancellationToken);
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
