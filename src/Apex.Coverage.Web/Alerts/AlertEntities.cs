using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Apex.Coverage.Web.Alerts;

/// <summary>The body a webhook receives: Apex's own JSON, a Slack message, or a Teams MessageCard.</summary>
public enum WebhookFormat
{
    Json,
    Slack,
    Teams,
}

/// <summary>A receiver an admin configured; its secret signs every body (HMAC-SHA256).</summary>
public sealed class Webhook
{
    public long Id { get; set; }

    public required string Name { get; set; }

    public required string Url { get; set; }

    public WebhookFormat Format { get; set; }

    /// <summary>The HMAC key; shown once when the webhook is made, never listed again.</summary>
    public required string Secret { get; set; }

    public bool Enabled { get; set; } = true;

    public DateTimeOffset CreatedAt { get; set; }
}

public enum DeliveryStatus
{
    Pending,
    Delivered,
    Failed,
}

/// <summary>One alert sent (or being sent) to one webhook: what, the body, and how delivery went.</summary>
public sealed class AlertDelivery
{
    public long Id { get; set; }

    public long WebhookId { get; set; }

    /// <summary>The change it reports ("item-failing:7@…"); one delivery per webhook and change.</summary>
    public required string AlertKey { get; set; }

    public required string Kind { get; set; }

    public required string Title { get; set; }

    public required string Body { get; set; }

    public DeliveryStatus Status { get; set; }

    public int Attempts { get; set; }

    public int? LastStatusCode { get; set; }

    public string? LastError { get; set; }

    public DateTimeOffset CreatedAt { get; set; }

    public DateTimeOffset? FinishedAt { get; set; }
}

/// <summary>The last state alerts were judged against, one row per fact ("protected-mrr", "item:7", "test:suite:name").</summary>
public sealed class AlertMark
{
    public required string Key { get; set; }

    public required string Value { get; set; }

    public DateTimeOffset UpdatedAt { get; set; }
}

internal sealed class WebhookConfiguration : IEntityTypeConfiguration<Webhook>
{
    public void Configure(EntityTypeBuilder<Webhook> builder)
    {
        builder.Property(w => w.Name).HasMaxLength(100);
        builder.Property(w => w.Url).HasMaxLength(2000);
        builder.Property(w => w.Format).HasConversion<string>().HasMaxLength(16);
        builder.Property(w => w.Secret).HasMaxLength(200);
        builder.HasIndex(w => w.Name).IsUnique();
    }
}

internal sealed class AlertDeliveryConfiguration : IEntityTypeConfiguration<AlertDelivery>
{
    public void Configure(EntityTypeBuilder<AlertDelivery> builder)
    {
        builder.Property(d => d.AlertKey).HasMaxLength(1200);
        builder.Property(d => d.Kind).HasMaxLength(32);
        builder.Property(d => d.Title).HasMaxLength(500);
        builder.Property(d => d.Status).HasConversion<string>().HasMaxLength(16);
        builder.Property(d => d.LastError).HasMaxLength(2000);
        builder.HasIndex(d => new { d.WebhookId, d.AlertKey }).IsUnique();
        builder.HasIndex(d => d.Status);
        builder.HasOne<Webhook>().WithMany().HasForeignKey(d => d.WebhookId).OnDelete(DeleteBehavior.Cascade);
    }
}

internal sealed class AlertMarkConfiguration : IEntityTypeConfiguration<AlertMark>
{
    public void Configure(EntityTypeBuilder<AlertMark> builder)
    {
        builder.HasKey(m => m.Key);
        builder.Property(m => m.Key).HasMaxLength(1200);
        builder.Property(m => m.Value).HasMaxLength(200);
    }
}
