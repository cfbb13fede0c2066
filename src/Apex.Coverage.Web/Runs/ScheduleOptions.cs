namespace Apex.Coverage.Web.Runs;

/// <summary>Recurring runs by name ("Schedules:nightly:Cron" ...), registered as Hangfire recurring jobs.</summary>
public sealed class ScheduleOptions : Dictionary<string, ScheduleDefinition>
{
    public const string SectionName = "Schedules";

    public ScheduleOptions() : base(StringComparer.OrdinalIgnoreCase)
    {
    }
}

public sealed record ScheduleDefinition
{
    /// <summary>The suite to run; the default suite when empty.</summary>
    public string? Suite { get; init; }

    /// <summary>A cron expression as Hangfire reads it ("0 2 * * *" is 02:00 every day).</summary>
    public string Cron { get; init; } = string.Empty;

    /// <summary>An IANA or Windows time zone id; UTC when empty.</summary>
    public string? TimeZone { get; init; }

    public bool Enabled { get; init; } = true;

    public int[]? PlanItems { get; init; }

    public string? Category { get; init; }

    public string? Priority { get; init; }

    public bool OnlyFailed { get; init; }

    /// <summary>Collect code coverage in the scheduled run (coverlet's collector; slower).</summary>
    public bool CollectCoverage { get; init; }

    /// <summary>Added on the schedules page: it lives in the edits file only, not in appsettings.json.</summary>
    public bool Added { get; init; }

    /// <summary>A configured schedule removed on the page: kept in the edits file so appsettings.json does not bring it back.</summary>
    public bool Removed { get; init; }

    public RunSelection Selection => new(PlanItems, Category, Priority, OnlyFailed);
}

/// <summary>A schedule as the page shows it: where its cron came from and when it fires next.</summary>
public sealed record ScheduleView(string Name, ScheduleDefinition Definition, bool Edited, DateTime? NextRun, DateTime? LastRun);
