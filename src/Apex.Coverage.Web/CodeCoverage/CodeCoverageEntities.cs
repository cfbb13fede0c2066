using Apex.Coverage.Web.Results;
using Apex.Coverage.Web.Runs;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Apex.Coverage.Web.CodeCoverage;

/// <summary>
/// The code coverage of one run that asked for it: the target assembly's counts, or — when the
/// collector wrote no readable report — only a note saying why (and zero counts).
/// </summary>
public sealed class RunCodeCoverage
{
    public long RunId { get; set; }

    /// <summary>The assembly measured (Coverage:TargetAssembly when the run ran).</summary>
    public required string Target { get; set; }

    public int LinesCovered { get; set; }

    public int LinesValid { get; set; }

    public int BranchesCovered { get; set; }

    public int BranchesValid { get; set; }

    /// <summary>Why coverage is missing; null when the report was read.</summary>
    public string? Note { get; set; }

    public DateTimeOffset RecordedAt { get; set; }

    public List<ModuleCodeCoverage> Modules { get; set; } = [];

    public CodeCoverageCounts Counts => new(LinesCovered, LinesValid, BranchesCovered, BranchesValid);
}

public sealed class ModuleCodeCoverage
{
    public long Id { get; set; }

    public long RunId { get; set; }

    public required string Name { get; set; }

    public int Files { get; set; }

    public int LinesCovered { get; set; }

    public int LinesValid { get; set; }

    public int BranchesCovered { get; set; }

    public int BranchesValid { get; set; }

    public CodeCoverageCounts Counts => new(LinesCovered, LinesValid, BranchesCovered, BranchesValid);
}

/// <summary>One file of a run's coverage, with the lines no test reached ("13-16,25").</summary>
public sealed class FileCodeCoverage
{
    public long Id { get; set; }

    public long RunId { get; set; }

    public required string Module { get; set; }

    public required string Path { get; set; }

    public int LinesCovered { get; set; }

    public int LinesValid { get; set; }

    public int BranchesCovered { get; set; }

    public int BranchesValid { get; set; }

    public required string UncoveredLines { get; set; }

    public CodeCoverageCounts Counts => new(LinesCovered, LinesValid, BranchesCovered, BranchesValid);
}

internal sealed class RunCodeCoverageConfiguration : IEntityTypeConfiguration<RunCodeCoverage>
{
    public void Configure(EntityTypeBuilder<RunCodeCoverage> builder)
    {
        builder.HasKey(c => c.RunId);
        builder.Property(c => c.RunId).ValueGeneratedNever();
        builder.Property(c => c.Target).HasMaxLength(256);
        builder.Ignore(c => c.Counts);
        builder.HasOne<TestRun>().WithOne().HasForeignKey<RunCodeCoverage>(c => c.RunId).OnDelete(DeleteBehavior.Cascade);
        builder.HasMany(c => c.Modules).WithOne().HasForeignKey(m => m.RunId).OnDelete(DeleteBehavior.Cascade);
    }
}

internal sealed class ModuleCodeCoverageConfiguration : IEntityTypeConfiguration<ModuleCodeCoverage>
{
    public void Configure(EntityTypeBuilder<ModuleCodeCoverage> builder)
    {
        builder.Property(m => m.Name).HasMaxLength(256);
        builder.Ignore(m => m.Counts);
        builder.HasIndex(m => new { m.RunId, m.Name }).IsUnique();
    }
}

internal sealed class FileCodeCoverageConfiguration : IEntityTypeConfiguration<FileCodeCoverage>
{
    public void Configure(EntityTypeBuilder<FileCodeCoverage> builder)
    {
        builder.Property(f => f.Module).HasMaxLength(256);
        builder.Property(f => f.Path).HasMaxLength(1024);
        builder.Ignore(f => f.Counts);
        builder.HasOne<RunCodeCoverage>().WithMany().HasForeignKey(f => f.RunId).OnDelete(DeleteBehavior.Cascade);
        builder.HasIndex(f => new { f.RunId, f.Path }).IsUnique();
    }
}
