using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Apex.Coverage.Web.Results;

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
        builder.Property(r => r.UploadSha256).HasMaxLength(64);
        builder.Property(r => r.ProcessMarker).HasMaxLength(100);
        builder.Property(r => r.Node).HasMaxLength(200);
        builder.HasIndex(r => r.Status);
        builder.HasIndex(r => new { r.SuiteName, r.IdempotencyKey }).IsUnique().HasFilter("\"IdempotencyKey\" IS NOT NULL");
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
        builder.HasIndex(r => new { r.RunId, r.ResultKey }).IsUnique();
        builder.Property(r => r.SuiteName).HasMaxLength(200);
        // A test is its suite and its name: per-test history (latest outcome, flip rate over the
        // last N) seeks this index newest first, and the known tests are a skip-scan over it.
        builder.HasIndex(r => new { r.SuiteName, r.FullyQualifiedName, r.RunId });
        // The test page can be reached by name alone (links from before suites were part of a test's identity).
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
        builder.Property(t => t.ClaimedPlanItems).HasMaxLength(200);
        builder.HasIndex(t => new { t.SuiteName, t.FullyQualifiedName }).IsUnique();
    }
}
