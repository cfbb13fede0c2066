using System.ComponentModel.DataAnnotations;

namespace Apex.Platform.Realtime.Hub;

/// <summary>The real-time hub's limits and timings (section Platform:Realtime), validated at start.</summary>
public sealed class HubOptions
{
    public const string SectionName = "Platform:Realtime";

    /// <summary>Names this instance in welcome frames and metrics; a new id per start when empty.</summary>
    public string InstanceId { get; set; } = string.Empty;

    [Range(1024, 16 * 1024 * 1024, ErrorMessage = "Platform:Realtime:MaxMessageBytes must be between 1 KiB and 16 MiB.")]
    public int MaxMessageBytes { get; set; } = 64 * 1024;

    [Range(1, 100_000, ErrorMessage = "Platform:Realtime:SendQueueCapacity must be between 1 and 100000 frames.")]
    public int SendQueueCapacity { get; set; } = 256;

    [Range(1, 100_000, ErrorMessage = "Platform:Realtime:ReplayBufferSize must be between 1 and 100000 messages.")]
    public int ReplayBufferSize { get; set; } = 1000;

    [Range(typeof(TimeSpan), "00:01:00", "30.00:00:00", ErrorMessage = "Platform:Realtime:SessionRetention must be between 1 minute and 30 days.")]
    public TimeSpan SessionRetention { get; set; } = TimeSpan.FromHours(24);

    [Range(0.1, 100_000, ErrorMessage = "Platform:Realtime:MessagesPerSecond must be between 0.1 and 100000.")]
    public double MessagesPerSecond { get; set; } = 50;

    [Range(1, 100_000, ErrorMessage = "Platform:Realtime:MessageBurst must be between 1 and 100000.")]
    public int MessageBurst { get; set; } = 100;

    [Range(1, 1_000_000, ErrorMessage = "Platform:Realtime:MaxConnections must be between 1 and 1000000.")]
    public int MaxConnections { get; set; } = 10_000;

    [Range(1, 1_000_000, ErrorMessage = "Platform:Realtime:MaxConnectionsPerTenant must be between 1 and 1000000.")]
    public int MaxConnectionsPerTenant { get; set; } = 1_000;

    [Range(typeof(TimeSpan), "00:00:01", "1.00:00:00", ErrorMessage = "Platform:Realtime:IdleTimeout must be between 1 s and 1 day.")]
    public TimeSpan IdleTimeout { get; set; } = TimeSpan.FromMinutes(10);

    [Range(typeof(TimeSpan), "00:00:00.100", "01:00:00", ErrorMessage = "Platform:Realtime:SweepInterval must be between 100 ms and 1 hour.")]
    public TimeSpan SweepInterval { get; set; } = TimeSpan.FromSeconds(5);

    [Range(typeof(TimeSpan), "00:00:01", "00:10:00", ErrorMessage = "Platform:Realtime:ShutdownDrainTimeout must be between 1 s and 10 minutes.")]
    public TimeSpan ShutdownDrainTimeout { get; set; } = TimeSpan.FromSeconds(10);

    public HeartbeatOptions Heartbeat { get; set; } = new();

    public LeaderOptions Leader { get; set; } = new();

    public QueueOptions Queue { get; set; } = new();

    public OrderingOptions Ordering { get; set; } = new();

    public DownstreamOptions Downstream { get; set; } = new();

    /// <summary>DataAnnotations validation does not descend into nested settings; this does, naming the first key out of range.</summary>
    public static bool NestedAreValid(HubOptions options) =>
        new object[] { options.Heartbeat, options.Leader, options.Queue, options.Ordering, options.Downstream }
            .All(o => Validator.TryValidateObject(o, new ValidationContext(o), null, validateAllProperties: true));
}

public sealed class HeartbeatOptions
{
    /// <summary>The first interval, before a round trip has been measured.</summary>
    [Range(typeof(TimeSpan), "00:00:00.100", "00:10:00", ErrorMessage = "Platform:Realtime:Heartbeat:Interval must be between 100 ms and 10 minutes.")]
    public TimeSpan Interval { get; set; } = TimeSpan.FromSeconds(20);

    [Range(typeof(TimeSpan), "00:00:00.100", "00:10:00", ErrorMessage = "Platform:Realtime:Heartbeat:MinInterval must be between 100 ms and 10 minutes.")]
    public TimeSpan MinInterval { get; set; } = TimeSpan.FromSeconds(5);

    [Range(typeof(TimeSpan), "00:00:00.100", "00:10:00", ErrorMessage = "Platform:Realtime:Heartbeat:MaxInterval must be between 100 ms and 10 minutes.")]
    public TimeSpan MaxInterval { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>An unanswered ping older than this marks the connection stalled (health turns Degraded).</summary>
    [Range(typeof(TimeSpan), "00:00:00.100", "00:10:00", ErrorMessage = "Platform:Realtime:Heartbeat:StallAfter must be between 100 ms and 10 minutes.")]
    public TimeSpan StallAfter { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>An unanswered ping older than this closes the connection (close code 4408).</summary>
    [Range(typeof(TimeSpan), "00:00:00.100", "00:10:00", ErrorMessage = "Platform:Realtime:Heartbeat:PongTimeout must be between 100 ms and 10 minutes.")]
    public TimeSpan PongTimeout { get; set; } = TimeSpan.FromSeconds(30);
}

public sealed class LeaderOptions
{
    [Range(typeof(TimeSpan), "00:00:01", "00:10:00", ErrorMessage = "Platform:Realtime:Leader:Lease must be between 1 s and 10 minutes.")]
    public TimeSpan Lease { get; set; } = TimeSpan.FromSeconds(15);
}

public sealed class QueueOptions
{
    /// <summary>How long a message read by a consumer may stay unacknowledged before another instance takes it over.</summary>
    [Range(typeof(TimeSpan), "00:00:00.050", "01:00:00", ErrorMessage = "Platform:Realtime:Queue:ClaimAfter must be between 50 ms and 1 hour.")]
    public TimeSpan ClaimAfter { get; set; } = TimeSpan.FromSeconds(30);
}
