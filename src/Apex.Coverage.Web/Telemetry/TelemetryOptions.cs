namespace Apex.Coverage.Web.Telemetry;

/// <summary>
/// Section "Telemetry": OpenTelemetry export is off unless an OTLP endpoint is given
/// ("Telemetry:OtlpEndpoint": "http://collector:4317"). The meter and activity source named
/// <see cref="DashboardTelemetry.Name"/> record either way, for any listener in the process.
/// </summary>
public sealed class TelemetryOptions
{
    public const string SectionName = "Telemetry";

    /// <summary>The OTLP collector's address; empty (the default) exports nothing.</summary>
    public Uri? OtlpEndpoint { get; set; }

    /// <summary>The service.name resource attribute of every exported metric and span.</summary>
    public string ServiceName { get; set; } = "apex-coverage";
}
