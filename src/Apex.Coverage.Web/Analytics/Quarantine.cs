using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Apex.Coverage.Web.Analytics;

/// <summary>
/// A test taken out of the status rollup by a person, with the reason. It keeps running and its
/// results are kept; it only stops counting as failing. Releasing it keeps the row as history.
/// </summary>
public sealed class Quarantine
{
    public long Id { get; set; }

    public required string FullyQualifiedName { get; set; }

    public required string Reason { get; set; }

    public required string QuarantinedBy { get; set; }

    public DateTimeOffset QuarantinedAt { get; set; }

    public string? ReleasedBy { get; set; }

    public DateTimeOffset? ReleasedAt { get; set; }

    public bool Active => ReleasedAt is null;
}

internal sealed class QuarantineConfiguration : IEntityTypeConfiguration<Quarantine>
{
    public void Configure(EntityTypeBuilder<Quarantine> builder)
    {
        builder.Property(q => q.FullyQualifiedName).HasMaxLength(1000);
        builder.Property(q => q.Reason).HasMaxLength(2000);
        builder.Property(q => q.QuarantinedBy).HasMaxLength(200);
        builder.Property(q => q.ReleasedBy).HasMaxLength(200);
        builder.Ignore(q => q.Active);
        // At most one active quarantine per test; released ones stay as history.
        builder.HasIndex(q => q.FullyQualifiedName).IsUnique().HasFilter("\"ReleasedAt\" IS NULL");
    }
}

/// <summary>
/// The report's totals at the moment a new result was first seen, so the overview can draw
/// protected MRR over time without replaying history. Keyed by the newest result id it covered.
/// </summary>
public sealed class CoverageSnapshot
{
    public long Id { get; set; }

    public long AsOfResultId { get; set; }

    public DateTimeOffset TakenAt { get; set; }

    public int Implemented { get; set; }

    public int Passing { get; set; }

    public decimal ProtectedMrr { get; set; }

    public decimal Mrr { get; set; }

    public double FlakyRate { get; set; }
}

internal sealed class CoverageSnapshotConfiguration : IEntityTypeConfiguration<CoverageSnapshot>
{
    public void Configure(EntityTypeBuilder<CoverageSnapshot> builder)
    {
        // SQLite has no decimal type; dollars are whole figures in the plan, a double holds them exactly.
        builder.Property(s => s.ProtectedMrr).HasConversion<double>();
        builder.Property(s => s.Mrr).HasConversion<double>();
        builder.HasIndex(s => s.AsOfResultId).IsUnique();
    }
}
