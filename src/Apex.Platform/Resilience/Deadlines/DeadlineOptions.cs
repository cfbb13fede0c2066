namespace Apex.Platform.Resilience.Deadlines;

/// <summary>One hop's time budget rules and the dependencies it may call, each behind its own bulkhead.</summary>
public sealed class DeadlineOptions
{
    public const string SectionName = "Platform:Resilience:Deadlines";

    /// <summary>The budget of a request that arrives without one (from a user, not another hop).</summary>
    public TimeSpan DefaultBudget { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>What this hop's work needs at least; with less left it refuses instead of starting.</summary>
    public TimeSpan WorkCost { get; set; } = TimeSpan.FromMilliseconds(100);

    /// <summary>Kept back from what is passed downstream, for this hop to relay the answer.</summary>
    public TimeSpan ReserveForReply { get; set; } = TimeSpan.FromMilliseconds(50);

    public int BulkheadPermits { get; set; } = 2;

    public int BulkheadQueue { get; set; }

    public List<DeadlineDependency> Dependencies { get; set; } = [];

    public static bool IsValid(DeadlineOptions options) =>
        options.BulkheadPermits > 0 && options.BulkheadQueue >= 0 && options.WorkCost >= TimeSpan.Zero &&
        options.Dependencies.All(d => !string.IsNullOrWhiteSpace(d.Name) && Uri.TryCreate(d.Url, UriKind.Absolute, out _));

    public const string Invalid = "Platform:Resilience:Deadlines: BulkheadPermits must be positive, and every dependency needs a Name and an absolute Url.";
}

public sealed class DeadlineDependency
{
    public string Name { get; set; } = string.Empty;

    public string Url { get; set; } = string.Empty;

    /// <summary>The path called; a hop's is its own deadline work endpoint.</summary>
    public string Path { get; set; } = string.Empty;
}
