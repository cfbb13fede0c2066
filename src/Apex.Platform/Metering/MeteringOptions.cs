using System.ComponentModel.DataAnnotations;

namespace Apex.Platform.Metering;

/// <summary>The metered features and their prices. A metric not listed here is refused at collection.</summary>
public sealed class MeteringOptions
{
    public const string SectionName = "Platform:Metering";

    public Dictionary<string, MeteredPrice> Metrics { get; set; } = new(StringComparer.Ordinal)
    {
        ["llm_tokens"] = new() { UnitPrice = 0.002m, UnitSize = 1000, Included = 100_000 },
        ["agent_runs"] = new() { UnitPrice = 0.05m, UnitSize = 1, Included = 0 },
    };

    /// <summary>How far in the future an event's time may be (client clocks drift); later ones are refused.</summary>
    [Range(typeof(TimeSpan), "00:00:00", "01:00:00", ErrorMessage = "Platform:Metering:ClockSkew must be between 0 and 1 h.")]
    public TimeSpan ClockSkew { get; set; } = TimeSpan.FromMinutes(5);

    [Required(ErrorMessage = "Platform:Metering:Currency is required (ISO 4217, lower case).")]
    [RegularExpression("^[a-z]{3}$", ErrorMessage = "Platform:Metering:Currency must be a three-letter ISO 4217 code in lower case.")]
    public string Currency { get; set; } = "usd";

    [Range(1, 10_000, ErrorMessage = "Platform:Metering:MaxBatch must be between 1 and 10000.")]
    public int MaxBatch { get; set; } = 1000;

    public static bool IsValid(MeteringOptions options) =>
        options.Metrics.Count > 0 && options.Metrics.Values.All(price => price.UnitPrice >= 0 && price.UnitSize >= 1 && price.Included >= 0);

    public const string InvalidMetrics =
        "Platform:Metering:Metrics must name at least one metric, each with UnitPrice >= 0, UnitSize >= 1 and Included >= 0.";
}

/// <summary>Price of a metric: <see cref="UnitPrice"/> per <see cref="UnitSize"/> units past the <see cref="Included"/> ones.</summary>
public sealed class MeteredPrice
{
    public decimal UnitPrice { get; set; }

    public long UnitSize { get; set; } = 1;

    public long Included { get; set; }
}
