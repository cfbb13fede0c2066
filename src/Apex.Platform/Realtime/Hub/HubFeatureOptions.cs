using System.ComponentModel.DataAnnotations;

namespace Apex.Platform.Realtime.Hub;

public sealed class OrderingOptions
{
    [Range(1, 10_000, ErrorMessage = "Platform:Realtime:Ordering:Window must be between 1 and 10000 frames.")]
    public int Window { get; set; } = 64;

    [Range(typeof(TimeSpan), "00:00:00.010", "00:10:00", ErrorMessage = "Platform:Realtime:Ordering:GapTimeout must be between 10 ms and 10 minutes.")]
    public TimeSpan GapTimeout { get; set; } = TimeSpan.FromSeconds(5);
}

/// <summary>The pricing service the "quote" frames depend on, and its circuit breaker.</summary>
public sealed class DownstreamOptions
{
    [Url(ErrorMessage = "Platform:Realtime:Downstream:BaseUrl must be an absolute URL.")]
    public string? BaseUrl { get; set; }

    [Range(0.01, 1.0, ErrorMessage = "Platform:Realtime:Downstream:FailureRatio must be between 0.01 and 1.")]
    public double FailureRatio { get; set; } = 0.5;

    [Range(2, 10_000, ErrorMessage = "Platform:Realtime:Downstream:MinimumThroughput must be between 2 and 10000.")]
    public int MinimumThroughput { get; set; } = 10;

    [Range(typeof(TimeSpan), "00:00:00.500", "01:00:00", ErrorMessage = "Platform:Realtime:Downstream:SamplingDuration must be between 500 ms and 1 hour.")]
    public TimeSpan SamplingDuration { get; set; } = TimeSpan.FromSeconds(30);

    [Range(typeof(TimeSpan), "00:00:00.500", "01:00:00", ErrorMessage = "Platform:Realtime:Downstream:BreakDuration must be between 500 ms and 1 hour.")]
    public TimeSpan BreakDuration { get; set; } = TimeSpan.FromSeconds(15);
}
