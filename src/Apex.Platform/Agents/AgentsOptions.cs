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
