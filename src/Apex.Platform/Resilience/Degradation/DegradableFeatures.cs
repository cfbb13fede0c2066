using Microsoft.FeatureManagement;

namespace Apex.Platform.Resilience.Degradation;

/// <summary>A feature that depends on one store, and what users are told while it is off.</summary>
public sealed record DegradableFeature(string Name, string Dependency, string Notice);

/// <summary>
/// The platform's degradable features as Microsoft.FeatureManagement definitions, each enabled only
/// while its dependency is healthy (the <see cref="DependencyHealthFilter"/>). They are code, not
/// configuration: which store a feature needs is a fact of the code.
/// </summary>
public sealed class DegradableFeatures : IFeatureDefinitionProvider
{
    public const string Analytics = "Analytics";

    public static readonly IReadOnlyList<DegradableFeature> All =
    [
        new(Analytics, "clickhouse", "Analytics is temporarily unavailable. Your notes are safe and keep working."),
    ];

    public Task<FeatureDefinition> GetFeatureDefinitionAsync(string featureName) =>
        Task.FromResult(All.FirstOrDefault(f => f.Name == featureName) is { } feature ? Define(feature) : null!);

    public async IAsyncEnumerable<FeatureDefinition> GetAllFeatureDefinitionsAsync()
    {
        await Task.CompletedTask;
        foreach (var feature in All) yield return Define(feature);
    }

    private static FeatureDefinition Define(DegradableFeature feature) => new()
    {
        Name = feature.Name,
        EnabledFor =
        [
            new FeatureFilterConfiguration
            {
                Name = DependencyHealthFilter.Alias,
                Parameters = new ConfigurationBuilder().AddInMemoryCollection([new("Dependency", feature.Dependency)]).Build(),
            },
        ],
    };
}

/// <summary>Enables a feature while the dependency named in its parameters is healthy.</summary>
[FilterAlias(Alias)]
public sealed class DependencyHealthFilter(DependencyHealthMonitor monitor) : IFeatureFilter
{
    public const string Alias = "DependencyHealthy";

    public Task<bool> EvaluateAsync(FeatureFilterEvaluationContext context) =>
        monitor.IsHealthyAsync(context.Parameters["Dependency"] ?? string.Empty, CancellationToken.None);
}
