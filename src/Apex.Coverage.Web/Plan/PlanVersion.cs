using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Apex.Coverage.Web.Plan;

/// <summary>
/// One successful import of a plan whose content differed from the one before. The parsed
/// document and its findings are kept whole as JSON: a version is written once and read whole.
/// </summary>
public sealed class PlanVersion
{
    public int Id { get; set; }
    public int Number { get; set; }
    public required string ContentHash { get; set; }
    public required string Source { get; set; }
    public DateTimeOffset ImportedAt { get; set; }
    public int ItemCount { get; set; }
    public decimal TotalMrr { get; set; }
    public required string DocumentJson { get; set; }
    public required string FindingsJson { get; set; }
    public List<PlanChange> Changes { get; set; } = [];
}

/// <summary>One difference between a version and the one before it.</summary>
public sealed class PlanChange
{
    public int Id { get; set; }
    public int PlanVersionId { get; set; }
    public PlanChangeKind Kind { get; set; }
    public int? ItemNumber { get; set; }
    public string? CategorySlug { get; set; }
    public required string Subject { get; set; }
    public string? Before { get; set; }
    public string? After { get; set; }
}

internal sealed class PlanVersionConfiguration : IEntityTypeConfiguration<PlanVersion>
{
    public void Configure(EntityTypeBuilder<PlanVersion> builder)
    {
        builder.HasIndex(v => v.Number).IsUnique();
        builder.Property(v => v.ContentHash).HasMaxLength(64);
        builder.Property(v => v.Source).HasMaxLength(1024);
        builder.HasMany(v => v.Changes).WithOne().HasForeignKey(c => c.PlanVersionId).OnDelete(DeleteBehavior.Cascade);
    }
}

internal sealed class PlanChangeConfiguration : IEntityTypeConfiguration<PlanChange>
{
    public void Configure(EntityTypeBuilder<PlanChange> builder)
    {
        builder.Property(c => c.Kind).HasConversion<string>().HasMaxLength(32);
        builder.Property(c => c.Subject).HasMaxLength(512);
    }
}
