using Apex.Coverage.Web.ApiTokens;
using Apex.Coverage.Web.Results;
using Apex.Coverage.Web.Telemetry;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Apex.Coverage.Web.Ingestion;

public static class IngestionHostingExtensions
{
    /// <summary>The CI results API: upload reader, parsers, ingestor, API tokens.</summary>
    public static IHostApplicationBuilder AddIngestion(this IHostApplicationBuilder builder)
    {
        builder.AddResults();
        builder.AddDashboardTelemetry();
        builder.AddApiTokens();
        var services = builder.Services;
        services.AddOptions<IngestionOptions>()
            .BindConfiguration(IngestionOptions.SectionName)
            .PostConfigure<IConfiguration>((options, configuration) => options.DefaultSuite ??= DefaultSuiteOf(configuration))
            .ValidateDataAnnotations()
            .ValidateOnStart();
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<ResultUploadReader>();
        services.TryAddSingleton<ResultIngestor>();
        services.AddHostedService<SpoolSweeper>();
        return builder;
    }

    // Uploads land in the runner's default suite unless told otherwise, so CI results and
    // dashboard runs of the same tests meet: Runs:DefaultSuite, else the only configured suite.
    private static string DefaultSuiteOf(IConfiguration configuration)
    {
        var suites = configuration.GetSection("Suites").GetChildren().Select(s => s.Key).ToList();
        return configuration["Runs:DefaultSuite"] is { Length: > 0 } runs ? runs
            : suites.Count == 1 ? suites[0]
            : IngestionOptions.FallbackSuite;
    }

    public static WebApplication MapIngestion(this WebApplication app)
    {
        app.MapIngestionApi();
        return app;
    }
}
