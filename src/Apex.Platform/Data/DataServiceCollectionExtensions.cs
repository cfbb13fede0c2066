using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Npgsql;

namespace Apex.Platform.Data;

public static class DataServiceCollectionExtensions
{
    /// <summary>PostgreSQL for the platform: one pooled data source, schemas applied at start.</summary>
    public static IServiceCollection AddPlatformData(this IServiceCollection services)
    {
        services.AddOptions<PostgresOptions>().BindConfiguration(PostgresOptions.SectionName).ValidateDataAnnotations().ValidateOnStart();
        services.TryAddSingleton(sp => NpgsqlDataSource.Create(sp.GetRequiredService<IOptions<PostgresOptions>>().Value.ConnectionString));
        services.AddHostedService<SchemaInitializer>();
        return services;
    }

    public static IServiceCollection AddSchema(this IServiceCollection services, int order, string name, string sql)
    {
        services.AddSingleton(new SchemaScript(order, name, sql));
        return services;
    }
}
