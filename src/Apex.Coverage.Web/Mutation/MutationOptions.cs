using System.ComponentModel.DataAnnotations;

namespace Apex.Coverage.Web.Mutation;

/// <summary>How mutation runs are made ("Mutation:..."): which suite, the verified threshold, the cost bounds.</summary>
public sealed class MutationOptions
{
    public const string SectionName = "Mutation";

    /// <summary>The configured suite whose tests kill the mutants; Runs:DefaultSuite when unset.</summary>
    public string? Suite { get; set; }

    /// <summary>The project (relative to the repo root) Stryker mutates, found among the suite's references.</summary>
    [Required(ErrorMessage = "Mutation:Project is required: the project Stryker mutates, for example \"src/Apex.Platform/Apex.Platform.csproj\".")]
    public string Project { get; set; } = "src/Apex.Platform/Apex.Platform.csproj";

    /// <summary>An item is verified when its mutation score is at least this many percent.</summary>
    [Range(0, 100, ErrorMessage = "Mutation:Threshold must be a percentage from 0 to 100.")]
    public double Threshold { get; set; } = 80;

    /// <summary>The longest a mutation run may take; it is stopped (and nothing stored) after that.</summary>
    [Range(typeof(TimeSpan), "00:00:10", "1.00:00:00", ErrorMessage = "Mutation:TimeBudget must be between 00:00:10 and 1.00:00:00.")]
    public TimeSpan TimeBudget { get; set; } = TimeSpan.FromMinutes(30);

    /// <summary>Stryker's --concurrency: test sessions at once (1 on a shared machine).</summary>
    [Range(1, 64, ErrorMessage = "Mutation:Concurrency must be between 1 and 64.")]
    public int Concurrency { get; set; } = 1;

    /// <summary>Stryker's --test-runner: mtp for xunit v3 suites (the VSTest runner cannot activate their mutants, docs/adr/0211).</summary>
    [RegularExpression("^(mtp|vstest)$", ErrorMessage = "Mutation:TestRunner must be \"mtp\" or \"vstest\".")]
    public string TestRunner { get; set; } = "mtp";

    /// <summary>Environment for Stryker's build and test runs (MSBuild reads these as properties).</summary>
    public Dictionary<string, string> Environment { get; set; } = [];

    /// <summary>Hangfire cron of the scheduled mutation runs; none when empty.</summary>
    public string? Cron { get; set; }

    /// <summary>How many items a scheduled run queues: those mutated longest ago (never first).</summary>
    [Range(1, 1000, ErrorMessage = "Mutation:ItemsPerSchedule must be between 1 and 1000.")]
    public int ItemsPerSchedule { get; set; } = 1;

    /// <summary>Where Stryker writes its output, one folder per run.</summary>
    public string OutputPath { get; set; } = Path.Combine(Path.GetTempPath(), "apex-mutation");
}
