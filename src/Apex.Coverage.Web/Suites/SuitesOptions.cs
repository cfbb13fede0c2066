using Microsoft.Extensions.Options;

namespace Apex.Coverage.Web.Suites;

/// <summary>
/// The suites the dashboard may build and run, keyed by name ("Suites:L2:Project" ...). A request
/// names a suite; nothing in a request ever reaches the file system as a path.
/// </summary>
public sealed class SuitesOptions : Dictionary<string, SuiteDefinition>
{
    public const string SectionName = "Suites";

    public SuitesOptions() : base(StringComparer.OrdinalIgnoreCase)
    {
    }
}

public sealed class SuiteDefinition
{
    /// <summary>The project `dotnet build` builds before a run, relative to the content root.</summary>
    public string Project { get; set; } = string.Empty;

    /// <summary>The test assembly discovery and runs load, relative to the content root.</summary>
    public string Assembly { get; set; } = string.Empty;

    public bool BuildBeforeRun { get; set; } = true;

    /// <summary>The longest a run (build and tests) may take before it is stopped.</summary>
    public TimeSpan RunTimeout { get; set; } = TimeSpan.FromMinutes(30);

    /// <summary>Environment variables for the build and the test host.</summary>
    public Dictionary<string, string> Environment { get; set; } = [];

    /// <summary>`dotnet build -c` (Debug when unset); <see cref="Assembly"/> must be that build's output.</summary>
    public string? Configuration { get; set; }

    /// <summary>`dotnet build -f`: the one framework to build of a multi-targeted project (all when unset).</summary>
    public string? Framework { get; set; }

    /// <summary>Extra MSBuild properties, each passed as `-p:Name=Value`.</summary>
    public Dictionary<string, string> Properties { get; set; } = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>How the tests are run: Auto (as `dotnet test` would), VsTest, or TestingPlatform (server mode).</summary>
    public SuiteRunner Runner { get; set; } = SuiteRunner.Auto;
}

/// <summary>
/// Auto runs a Microsoft.Testing.Platform app through its server mode when VSTest cannot host it
/// or global.json selects the platform for `dotnet test`, and everything else through VSTest.
/// </summary>
public enum SuiteRunner
{
    Auto,
    VsTest,
    TestingPlatform,
}

/// <summary>Rejects a suite without a project or assembly, naming the configuration key.</summary>
internal sealed class SuitesOptionsValidator : IValidateOptions<SuitesOptions>
{
    public ValidateOptionsResult Validate(string? name, SuitesOptions options)
    {
        var failures = new List<string>();
        foreach (var (suite, definition) in options)
        {
            var key = $"{SuitesOptions.SectionName}:{suite}";
            if (string.IsNullOrWhiteSpace(definition.Assembly))
            {
                failures.Add($"{key}:Assembly is required: the test assembly to load, for example \"tests/X/bin/Debug/net10.0/X.dll\".");
            }

            if (definition.BuildBeforeRun && string.IsNullOrWhiteSpace(definition.Project))
            {
                failures.Add($"{key}:Project is required when {key}:BuildBeforeRun is true.");
            }

            if (definition.RunTimeout <= TimeSpan.Zero)
            {
                failures.Add($"{key}:RunTimeout must be positive, for example \"00:30:00\".");
            }

            failures.AddRange(SuiteBuildSettings.Problems(key, definition));
        }

        var queues = options.Keys.GroupBy(SuiteQueue.NameOf).Where(g => g.Count() > 1).Select(g => string.Join(", ", g));
        failures.AddRange(queues.Select(q => $"{SuitesOptions.SectionName}: the suite names {q} differ only in punctuation or case; rename one."));
        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}

/// <summary>A configured suite with its paths made absolute against the content root.</summary>
public sealed record Suite(string Name, string? Project, string Assembly, bool BuildBeforeRun, TimeSpan RunTimeout,
    IReadOnlyDictionary<string, string> Environment)
{
    public SuiteBuildSettings Build { get; init; } = SuiteBuildSettings.None;

    public SuiteRunner Runner { get; init; } = SuiteRunner.Auto;
}

/// <summary>Resolves suite names to configured suites; the only way a run reaches a path.</summary>
public sealed class SuiteCatalog(IOptions<SuitesOptions> options, IHostEnvironment host)
{
    public IReadOnlyList<string> Names => [.. options.Value.Keys.Order(StringComparer.OrdinalIgnoreCase)];

    private static string? Blank(string? value) => string.IsNullOrWhiteSpace(value) ? null : value.Trim();

    public Suite? Find(string name)
    {
        if (!options.Value.TryGetValue(name, out var definition))
        {
            return null;
        }

        var key = options.Value.Keys.First(k => string.Equals(k, name, StringComparison.OrdinalIgnoreCase));
        return new Suite(key,
            string.IsNullOrWhiteSpace(definition.Project) ? null : Path.GetFullPath(definition.Project, host.ContentRootPath),
            Path.GetFullPath(definition.Assembly, host.ContentRootPath),
            definition.BuildBeforeRun, definition.RunTimeout, definition.Environment)
        {
            Build = new SuiteBuildSettings(Blank(definition.Configuration), Blank(definition.Framework), definition.Properties),
            Runner = definition.Runner,
        };
    }
}

/// <summary>The Hangfire queue a suite's runs wait in: one worker per queue keeps them in order.</summary>
public static class SuiteQueue
{
    public static string NameOf(string suite) =>
        "suite_" + new string([.. suite.ToLowerInvariant().Select(c => char.IsAsciiLetterOrDigit(c) ? c : '_')]);
}
