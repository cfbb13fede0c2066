using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

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
        services.AddDbContextFactory<CoverageDbContext>((provider, options) =>
        {
            var data = provider.GetRequiredService<IOptions<DataOptions>>().Value;
            var root = provider.GetRequiredService<IHostEnvironment>().ContentRootPath;
            options.UseSqlite(SqliteConnectionStrings.Resolve(data.ConnectionString, root));
        });
        services.AddHostedService<DatabaseMigrator>();
        return builder;
    }

    /// <summary>Serves as a marker that the data services are registered.</summary>
    private sealed class DataMarker;
}
