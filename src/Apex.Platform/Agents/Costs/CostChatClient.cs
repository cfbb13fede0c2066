using Apex.Platform.Agents.Llm;
using Microsoft.Extensions.AI;

namespace Apex.Platform.Agents.Costs;

/// <summary>Prices each answered call from the usage the provider reported, for the run and tenant it belongs to.</summary>
public sealed class CostChatClient(IChatClient inner, CostTracker costs, string model) : DelegatingChatClient(inner)
{
    public override async Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        var response = await base.GetResponseAsync(messages, options, cancellationToken);
        if (AgentCallContext.Current is { } call && response.Usage is { } usage)
        {
            var provider = response.AdditionalProperties?.GetValueOrDefault(ProviderFailoverChatClient.ProviderProperty) as string ?? "primary";
            await costs.RecordAsync(call.TenantId, call.RunId == Guid.Empty ? null : call.RunId, provider, response.ModelId ?? model,
                usage.InputTokenCount ?? 0, usage.OutputTokenCount ?? 0, CancellationToken.None);
        }

        return response;
    }
}
