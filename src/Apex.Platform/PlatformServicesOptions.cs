namespace Apex.Platform;

/// <summary>
/// Which services this process hosts. One process may host them all (the default) or just one,
/// as the services are deployed separately; they share PostgreSQL, Redis and the token keys.
/// </summary>
public sealed class PlatformServicesOptions
{
    public const string SectionName = "Platform:Services";

    public static readonly string[] All = ["auth", "realtime", "backend", "agents", "billing"];

    /// <summary>Known, but hosted only where named: they need a store the default set does not (metering:
    /// ClickHouse), or change how every request is admitted (performance: readiness gate, connection limit).</summary>
    public static readonly string[] OptIn = ["metering", "resilience", "performance", "cache", "data"];

    public static IReadOnlySet<string> Enabled(IConfiguration configuration)
    {
        var configured = configuration.GetSection(SectionName).Get<string[]>();
        var enabled = configured is { Length: > 0 } ? configured : All;
        var unknown = enabled.Except([.. All, .. OptIn], StringComparer.OrdinalIgnoreCase).ToList();
        return unknown.Count == 0
            ? enabled.ToHashSet(StringComparer.OrdinalIgnoreCase)
            : throw new InvalidOperationException($"{SectionName} names unknown services: {string.Join(", ", unknown)}. Known: {string.Join(", ", All.Concat(OptIn))}.");
    }
}
