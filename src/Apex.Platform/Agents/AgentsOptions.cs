using System.ComponentModel.DataAnnotations;

namespace Apex.Platform.Agents;

/// <summary>
/// The LLM provider the supervisor talks to: any OpenAI-compatible chat completions endpoint.
/// The key may be absent (reading runs needs no LLM); starting a run then answers 503 naming it.
/// </summary>
public sealed class LlmOptions
{
    public const string SectionName = "Platform:Llm";

    [Required(ErrorMessage = "Platform:Llm:Endpoint is required (the provider's base URL, e.g. https://api.openai.com/v1).")]
    [Url(ErrorMessage = "Platform:Llm:Endpoint must be an absolute URL.")]
    public string Endpoint { get; set; } = "https://api.openai.com/v1";

    public string ApiKey { get; set; } = string.Empty;

    [Required(ErrorMessage = "Platform:Llm:Model is required.")]
    public string Model { get; set; } = "gpt-4o-mini";

    /// <summary>Retries of a failed provider call (429, 5xx) before the run fails; a failed run can be resumed.</summary>
    [Range(0, 10, ErrorMessage = "Platform:Llm:MaxRetries must be between 0 and 10.")]
    public int MaxRetries { get; set; } = 3;

    /// <summary>The primary provider's name in failover records and metrics.</summary>
    public string Name { get; set; } = "primary";

    /// <summary>Providers tried in order when the primary fails (5xx, 429, a timeout); empty: no failover.</summary>
    public List<Llm.LlmProviderOptions> Fallbacks { get; set; } = [];

    /// <summary>How long one provider may take to answer before the call fails over to the next.</summary>
    [Range(typeof(TimeSpan), "00:00:00.100", "00:10:00", ErrorMessage = "Platform:Llm:AttemptTimeout must be between 100 ms and 10 minutes.")]
    public TimeSpan AttemptTimeout { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>How long a failed provider is left alone (unless it said Retry-After) before the health checker probes it.</summary>
    [Range(typeof(TimeSpan), "00:00:00.001", "01:00:00", ErrorMessage = "Platform:Llm:CoolDown must be between 1 ms and 1 hour.")]
    public TimeSpan CoolDown { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>How often the health checker looks for failed providers that are due for a probe.</summary>
    [Range(typeof(TimeSpan), "00:00:00.100", "1.00:00:00", ErrorMessage = "Platform:Llm:HealthCheckInterval must be between 100 ms and 1 day.")]
    public TimeSpan HealthCheckInterval { get; set; } = TimeSpan.FromSeconds(10);

    public IReadOnlyList<Llm.LlmProvider> Providers() =>
        [new(Name, Endpoint, ApiKey, Model), .. Fallbacks.Select(f => new Llm.LlmProvider(f.Name, f.Endpoint, f.ApiKey, f.Model))];
}

/// <summary>How the supervisor runs, and where its sub-agents reach their external systems.</summary>
public sealed class AgentsOptions
{
    public const string SectionName = "Platform:Agents";

    /// <summary>LLM round trips per run; a model that keeps calling tools must not run forever.</summary>
    [Range(1, 50, ErrorMessage = "Platform:Agents:MaxSteps must be between 1 and 50.")]
    public int MaxSteps { get; set; } = 8;

    /// <summary>The external model price catalog that the pricing_lookup sub-agent queries.</summary>
    [Url(ErrorMessage = "Platform:Agents:PricingCatalogUrl must be an absolute URL.")]
    public string? PricingCatalogUrl { get; set; }

    /// <summary>A directory of tool manifests (*.json) loaded at start; a refused one is reported, not fatal.</summary>
    public string? ToolManifestsPath { get; set; }
}
