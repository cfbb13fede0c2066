using Microsoft.Extensions.DependencyInjection.Extensions;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;

namespace Apex.Coverage.Web.Telemetry;

public static class TelemetryHostingExtensions
{
    /// <summary>
    /// The dashboard's meter and activity source, and - only when Telemetry:OtlpEndpoint is set -
    /// OpenTelemetry metrics and traces exported over OTLP. Off by default: nothing is exported
    /// and no exporter runs.
    /// </summary>
    public static IHostApplicationBuilder AddDashboardTelemetry(this IHostApplicationBuilder builder)
    {
        var services = builder.Services;
        if (services.Any(d => d.ServiceType == typeof(DashboardTelemetry)))
        {
            return builder;
        }

        services.AddMetrics();
        services.TryAddSingleton<DashboardTelemetry>();
        services.AddOptions<TelemetryOptions>().BindConfiguration(TelemetryOptions.SectionName);
        var options = builder.Configuration.GetSection(TelemetryOptions.SectionName).Get<TelemetryOptions>() ?? new TelemetryOptions();
        if (options.OtlpEndpoint is { } endpoint)
        {
            services.AddOpenTelemetry()
                .ConfigureResource(resource => resource.AddService(options.ServiceName))
                .WithMetrics(metrics => metrics.AddMeter(DashboardTelemetry.Name).AddOtlpExporter(o => o.Endpoint = endpoint))
                .WithTracing(tracing => tracing.AddSource(DashboardTelemetry.Name).AddOtlpExporter(o => o.Endpoint = endpoint));
        }

        return builder;
    }
}
