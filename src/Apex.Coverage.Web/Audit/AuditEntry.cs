using Apex.Coverage.Web.Data;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Apex.Coverage.Web.Audit;

/// <summary>One thing a person or a token did: who, what, to what, when. Rows are only ever added.</summary>
public sealed class AuditEntry
{
    public long Id { get; set; }

    public DateTimeOffset At { get; set; }

    /// <summary>The user's e-mail, the token's name, or "cli" / "schedule".</summary>
    public required string Actor { get; set; }

    /// <summary><see cref="ActorKinds"/>: user, token, system or anonymous.</summary>
    public required string ActorKind { get; set; }

    /// <summary>One of <see cref="AuditActions"/>.</summary>
    public required string Action { get; set; }

    /// <summary>What it was done to: a run id, a test name, a token name, a schedule name, an e-mail.</summary>
    public string? Subject { get; set; }

    public string? Detail { get; set; }
}

public static class AuditActions
{
    public const string RunStarted = "run.started";
    public const string RunCanceled = "run.canceled";
    public const string RunRerun = "run.rerun";
    public const string TestQuarantined = "test.quarantined";
    public const string TestReleased = "test.released";
    public const string TokenCreated = "token.created";
    public const string TokenRevoked = "token.revoked";
    public const string ScheduleChanged = "schedule.changed";
    public const string ScheduleTriggered = "schedule.triggered";
    public const string SignedIn = "sign-in";
    public const string SignInFailed = "sign-in.failed";
    public const string SignedOut = "sign-out";
    public const string UserCreated = "user.created";
    public const string UserRoleChanged = "user.role-changed";
}

public static class ActorKinds
{
    public const string User = "user";
    public const string Token = "token";
    public const string System = "system";
    public const string Anonymous = "anonymous";
}

internal sealed class AuditEntryConfiguration : IEntityTypeConfiguration<AuditEntry>
{
    public const int MaxText = 1000;

    public void Configure(EntityTypeBuilder<AuditEntry> builder)
    {
        builder.Property(e => e.Actor).HasMaxLength(256);
        builder.Property(e => e.ActorKind).HasMaxLength(16);
        builder.Property(e => e.Action).HasMaxLength(64);
        builder.Property(e => e.Subject).HasMaxLength(MaxText);
        builder.Property(e => e.Detail).HasMaxLength(MaxText);
        builder.HasIndex(e => e.At);
        builder.HasIndex(e => new { e.Action, e.At });
        builder.HasIndex(e => new { e.Actor, e.At });
    }
}
