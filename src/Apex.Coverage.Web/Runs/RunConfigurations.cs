using Apex.Coverage.Web.Suites;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Microsoft.EntityFrameworkCore.Storage.ValueConversion;

namespace Apex.Coverage.Web.Runs;

// SQLite cannot order or compare DateTimeOffset values as stored by default (text with offsets);
// stored as UTC ticks they sort and compare correctly in SQL.
internal static class TimestampColumns
{
    public static readonly ValueConverter<DateTimeOffset, long> Required = new(v => v.UtcTicks, v => new DateTimeOffset(v, TimeSpan.Zero));

    public static readonly ValueConverter<DateTimeOffset?, long?> Optional =
        new(v => v.HasValue ? v.Value.UtcTicks : null, v => v.HasValue ? new DateTimeOffset(v.Value, TimeSpan.Zero) : null);
}

internal sealed class TestRunConfiguration : IEntityTypeConfiguration<TestRun>
{
    public void Configure(EntityTypeBuilder<TestRun> builder)
    {
        builder.Property(r => r.SuiteName).HasMaxLength(200);
        builder.Property(r => r.Status).HasConversion<string>().HasMaxLength(16);
        builder.Property(r => r.Source).HasConversion<string>().HasMaxLength(16);
        builder.Property(r => r.Commit).HasMaxLength(100);
        builder.Property(r => r.Branch).HasMaxLength(300);
        builder.Property(r => r.TokenName).HasMaxLength(100);
        builder.Property(r => r.IdempotencyKey).HasMaxLength(200);
        builder.Property(r => r.CreatedAt).HasConversion(TimestampColumns.Required);
        builder.Property(r => r.StartedAt).HasConversion(TimestampColumns.Optional);
        builder.Property(r => r.FinishedAt).HasConversion(TimestampColumns.Optional);
        builder.HasIndex(r => r.Status);
        builder.HasIndex(r => new { r.SuiteName, r.IdempotencyKey }).IsUnique().HasFilter("IdempotencyKey IS NOT NULL");
        builder.HasMany(r => r.Results).WithOne().HasForeignKey(r => r.RunId).OnDelete(DeleteBehavior.Cascade);
    }
}

internal sealed class TestResultConfiguration : IEntityTypeConfiguration<TestResult>
{
    public void Configure(EntityTypeBuilder<TestResult> builder)
    {
        builder.Property(r => r.ResultKey).HasMaxLength(1000);
        builder.Property(r => r.FullyQualifiedName).HasMaxLength(1000);
        builder.Property(r => r.Outcome).HasConversion<string>().HasMaxLength(16);
        builder.Property(r => r.Commit).HasMaxLength(100);
        builder.Property(r => r.StartedAt).HasConversion(TimestampColumns.Optional);
        builder.Property(r => r.FinishedAt).HasConversion(TimestampColumns.Optional);
        builder.Property(r => r.RecordedAt).HasConversion(TimestampColumns.Required);
        builder.HasIndex(r => new { r.RunId, r.ResultKey }).IsUnique();
        // Per-test history (latest outcome, flip rate over the last N) reads by name, newest first.
        builder.HasIndex(r => new { r.FullyQualifiedName, r.RunId });
    }
}

internal sealed class DiscoveredTestConfiguration : IEntityTypeConfiguration<DiscoveredTest>
{
    public void Configure(EntityTypeBuilder<DiscoveredTest> builder)
    {
        builder.Property(t => t.SuiteName).HasMaxLength(200);
        builder.Property(t => t.FullyQualifiedName).HasMaxLength(1000);
        builder.Property(t => t.PlanItems).HasMaxLength(200);
        builder.Property(t => t.FirstSeenAt).HasConversion(TimestampColumns.Required);
        builder.Property(t => t.LastSeenAt).HasConversion(TimestampColumns.Required);
        builder.HasIndex(t => new { t.SuiteName, t.FullyQualifiedName }).IsUnique();
    }
}
