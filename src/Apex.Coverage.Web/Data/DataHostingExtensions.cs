using Microsoft.EntityFrameworkCore;

namespace Apex.Coverage.Web.Data;

public static class DataHostingExtensions
{
    /// <summary>
    /// Registers the <see cref="CoverageDbContext"/> factory (a short-lived context per operation,
    /// as Blazor Server needs) and the start-up migration. Every feature that persists calls this;
    /// only the first call registers anything.
    /// </summary>
    public static IHostApplicationBuilder AddCoverageData(this IHostApplicationBuilder builder)
    {
        var services = builder.Services;
        if (services.Any(d => d.ServiceType == typeof(DataMarker)))
        {
            return builder;
        }

        services.AddSingleton<DataMarker>();
        services.AddOptions<DataOptions>()
            .BindConfiguration(DataOptions.SectionName)
            .ValidateDataAnnotations()
            .ValidateOnStart();
        // One factory for both providers (CoverageDbContextFactory says how it chooses).
        services.AddSingleton<CoverageDbContextFactory>();
        services.AddSingleton<IDbContextFactory<CoverageDbContext>>(provider => provider.GetRequiredService<CoverageDbContextFactory>());
        services.AddHostedService<DatabaseMigrator>();
        return builder;
    }

    /// <summary>Serves as a marker that the data services are registered.</summary>
    private sealed class DataMarker;
}
