using System.ComponentModel.DataAnnotations;

namespace Apex.Platform.Agents.Llm;

/// <summary>A further OpenAI-compatible provider, tried in order when the ones before it fail.</summary>
public sealed class LlmProviderOptions
{
    [Required(ErrorMessage = "Platform:Llm:Fallbacks:n:Name is required.")]
    public string Name { get; set; } = string.Empty;

    [Required(ErrorMessage = "Platform:Llm:Fallbacks:n:Endpoint is required.")]
    [Url(ErrorMessage = "Platform:Llm:Fallbacks:n:Endpoint must be an absolute URL.")]
    public string Endpoint { get; set; } = string.Empty;

    [Required(ErrorMessage = "Platform:Llm:Fallbacks:n:ApiKey is required.")]
    public string ApiKey { get; set; } = string.Empty;

    [Required(ErrorMessage = "Platform:Llm:Fallbacks:n:Model is required.")]
    public string Model { get; set; } = string.Empty;
}

/// <summary>One provider of the failover chain as the pipeline uses it.</summary>
public sealed record LlmProvider(string Name, string Endpoint, string ApiKey, string Model);
