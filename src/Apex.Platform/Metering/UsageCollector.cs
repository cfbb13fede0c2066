using System.Globalization;
using Apex.Platform.Data.ClickHouse;
using Microsoft.Extensions.Options;

namespace Apex.Platform.Metering;

/// <summary>
/// Takes usage events into ClickHouse. Clients retry on timeouts and queues redeliver, so every
/// event carries an id of the client's choosing; the store keeps duplicates and the aggregator
/// counts each id once, which holds even when a retry races the original insert.
/// </summary>
public sealed class UsageCollector(ClickHouseHttpClient clickHouse, UsageInvoices invoices, IOptions<MeteringOptions> options, TimeProvider time)
{
    public const string Table = "usage_events";

    // ReplacingMergeTree also folds duplicates away in the background; counting never relies on
    // that timing, but it keeps the table from growing with every retry.
    public const string Ddl = """
        CREATE TABLE IF NOT EXISTS usage_events (
            tenant_id String, metric String, event_id String, quantity UInt64,
            period String, occurred_at UInt64, received_at UInt64)
        ENGINE = ReplacingMergeTree(received_at) PARTITION BY period ORDER BY (tenant_id, period, metric, event_id)
        """;

    /// <summary>Problems by field, or none; a batch with any problem is refused whole, so a retry is simple.</summary>
    public async Task<Dictionary<string, string[]>> ValidateAsync(Guid tenantId, IReadOnlyList<UsageEvent> events, CancellationToken cancellationToken)
    {
        var settings = options.Value;
        var problems = new Dictionary<string, string[]>();
        if (events.Count == 0 || events.Count > settings.MaxBatch) problems["events"] = [$"Send between 1 and {settings.MaxBatch} events."];
        var latest = time.GetUtcNow() + settings.ClockSkew;
        for (var i = 0; i < events.Count; i++)
        {
            if (Problem(events[i], settings, latest) is { } problem) problems[$"events[{i}]"] = [problem];
        }

        foreach (var period in events.Select(e => Period(e.OccurredAt)).Distinct())
        {
            if (await invoices.FindAsync(tenantId, period, cancellationToken) is not null)
            {
                problems[$"period {period}"] = [$"Usage for {period} is already invoiced; late events cannot be billed."];
            }
        }

        return problems;
    }

    public Task StoreAsync(Guid tenantId, IReadOnlyList<UsageEvent> events, CancellationToken cancellationToken)
    {
        var received = time.GetUtcNow().ToUnixTimeMilliseconds();
        return clickHouse.InsertAsync(Table, events.Select(e => new UsageRow(
            tenantId.ToString("N"), e.Metric!, e.Id!, e.Quantity, Period(e.OccurredAt), e.OccurredAt.ToUnixTimeMilliseconds(), received)), cancellationToken);
    }

    public static string Period(DateTimeOffset at) => at.UtcDateTime.ToString("yyyy-MM", CultureInfo.InvariantCulture);

    private static string? Problem(UsageEvent usage, MeteringOptions settings, DateTimeOffset latest) => usage switch
    {
        { Id: null or "" } => "'id' is required: the idempotency key that makes retries safe.",
        { Id.Length: > 128 } => "'id' must be at most 128 characters.",
        { Metric: null } => "'metric' is required.",
        _ when !settings.Metrics.ContainsKey(usage.Metric) => $"Unknown metric '{usage.Metric}'. Known: {string.Join(", ", settings.Metrics.Keys.Order())}.",
        { Quantity: <= 0 } => "'quantity' must be a positive whole number.",
        _ when usage.OccurredAt > latest => "'occurredAt' is in the future.",
        _ => null,
    };

    private sealed record UsageRow(string TenantId, string Metric, string EventId, long Quantity, string Period, long OccurredAt, long ReceivedAt);
}

public sealed record UsageEvent(string? Id, string? Metric, long Quantity, DateTimeOffset OccurredAt);
