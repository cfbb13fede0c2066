using System.Diagnostics;
using Apex.Platform.Agents.Llm;
using Microsoft.Extensions.AI;

namespace Apex.Platform.Agents.Metrics;

/// <summary>Measures every call that reaches a provider: latency, tokens, outcome, and which provider served it.</summary>
public sealed class MetricsChatClient(IChatClient inner, AgentMetrics metrics, string primary) : DelegatingChatClient(inner)
{
    public override async Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        var started = Stopwatch.GetTimestamp();
        try
        {
            var response = await base.GetResponseAsync(messages, options, cancellationToken);
            var provider = response.AdditionalProperties?.GetValueOrDefault(ProviderFailoverChatClient.ProviderProperty) as string ?? primary;
            metrics.LlmCall(provider, true, Stopwatch.GetElapsedTime(started), response.Usage?.InputTokenCount ?? 0, response.Usage?.OutputTokenCount ?? 0);
            return response;
        }
        catch (Exception) when (!cancellationToken.IsCancellationRequested)
        {
            metrics.LlmCall(primary, false, Stopwatch.GetElapsedTime(started), 0, 0);
            throw;
        }
    }
}
