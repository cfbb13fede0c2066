using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Apex.Coverage.Web.Mutation;

public static class MutationRunStatus
{
    public const string Queued = "queued";
    public const string Running = "running";
    public const string Completed = "completed";
    public const string Failed = "failed";
    public const string Canceled = "canceled";

    /// <summary>Stopped at Mutation:TimeBudget; nothing of it is stored.</summary>
    public const string OverBudget = "over-budget";

    public static bool IsFinished(string status) => status is Completed or Failed or Canceled or OverBudget;
}

/// <summary>
/// One Stryker run for one plan item: the platform files of the item's modules mutated, the
/// item's tests run against each mutant. Totals are the item's figures once it completed; an
/// incremental run (--since) carries the files it did not test over from the item's last run.
/// </summary>
public sealed class MutationRun
{
    public long Id { get; set; }

    public required string Suite { get; set; }

    public int PlanItem { get; set; }

    public string Status { get; set; } = MutationRunStatus.Queued;

    public required string Source { get; set; }

    /// <summary>The commit of the working tree the run mutated (null outside a git checkout).</summary>
    public string? Commit { get; set; }

    /// <summary>The commit --since compared against: only files changed since it were tested.</summary>
    public string? Since { get; set; }

    /// <summary>The --mutate globs, one per line, as the run used them.</summary>
    public string Scope { get; set; } = "";

    public int Tested { get; set; }

    public int ToTest { get; set; }

    public int Killed { get; set; }

    public int Survived { get; set; }

    public int NoCoverage { get; set; }

    public int Timeout { get; set; }

    public string? Message { get; set; }

    /// <summary>Nodes:Name of the node that claimed the run (null while queued, and for runs from before nodes were recorded).</summary>
    public string? Node { get; set; }

    public DateTimeOffset RequestedAt { get; set; }

    public DateTimeOffset? StartedAt { get; set; }

    public DateTimeOffset? FinishedAt { get; set; }

    public List<MutationFileResult> Files { get; set; } = [];

    public List<MutationSurvivor> Survivors { get; set; } = [];

    public MutationCounts Counts => new(Killed, Survived, NoCoverage, Timeout);
}

/// <summary>An item's mutants in one file, as of the run (carried over when --since skipped the file).</summary>
public sealed class MutationFileResult
{
    public long Id { get; set; }

    public long RunId { get; set; }

    public required string Path { get; set; }

    public int Killed { get; set; }

    public int Survived { get; set; }

    public int NoCoverage { get; set; }

    public int Timeout { get; set; }

    public bool CarriedOver { get; set; }

    public MutationCounts Counts => new(Killed, Survived, NoCoverage, Timeout);
}

/// <summary>A mutant the item's tests let live: where, and what the mutation was.</summary>
public sealed class MutationSurvivor
{
    public long Id { get; set; }

    public long RunId { get; set; }

    public required string Path { get; set; }

    public int Line { get; set; }

    public int Column { get; set; }

    public required string Mutator { get; set; }

    public required string Replacement { get; set; }

    /// <summary>Survived, or NoCoverage (no test of the item reaches it).</summary>
    public required string Status { get; set; }
}

internal sealed class MutationRunConfiguration : IEntityTypeConfiguration<MutationRun>
{
    public void Configure(EntityTypeBuilder<MutationRun> builder)
    {
        builder.Property(r => r.Suite).HasMaxLength(256);
        builder.Property(r => r.Status).HasMaxLength(32);
        builder.Property(r => r.Source).HasMaxLength(32);
        builder.Property(r => r.Commit).HasMaxLength(64);
        builder.Property(r => r.Since).HasMaxLength(64);
        builder.Ignore(r => r.Counts);
        builder.HasMany(r => r.Files).WithOne().HasForeignKey(f => f.RunId).OnDelete(DeleteBehavior.Cascade);
        builder.HasMany(r => r.Survivors).WithOne().HasForeignKey(s => s.RunId).OnDelete(DeleteBehavior.Cascade);
        builder.Property(r => r.Node).HasMaxLength(200);
        builder.HasIndex(r => new { r.Suite, r.PlanItem, r.Status });
        // One running run per suite across every node sharing the store (ADR 0285): the claim's
        // NOT EXISTS cannot see another node's uncommitted claim on PostgreSQL, this index can.
        builder.HasIndex(r => r.Suite).IsUnique().HasFilter("\"Status\" = 'running'").HasDatabaseName("IX_MutationRuns_OneRunningPerSuite");
    }
}

internal sealed class MutationFileResultConfiguration : IEntityTypeConfiguration<MutationFileResult>
{
    public void Configure(EntityTypeBuilder<MutationFileResult> builder)
    {
        builder.Property(f => f.Path).HasMaxLength(1024);
        builder.Ignore(f => f.Counts);
        builder.HasIndex(f => new { f.RunId, f.Path }).IsUnique();
    }
}

internal sealed class MutationSurvivorConfiguration : IEntityTypeConfiguration<MutationSurvivor>
{
    public void Configure(EntityTypeBuilder<MutationSurvivor> builder)
    {
        builder.Property(s => s.Path).HasMaxLength(1024);
        builder.Property(s => s.Mutator).HasMaxLength(256);
        builder.Property(s => s.Replacement).HasMaxLength(2048);
        builder.Property(s => s.Status).HasMaxLength(32);
    }
}
