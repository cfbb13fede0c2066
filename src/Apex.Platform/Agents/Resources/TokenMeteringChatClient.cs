using Apex.Platform.Agents.Llm;
using Microsoft.Extensions.AI;

namespace Apex.Platform.Agents.Resources;

/// <summary>Counts each answered call's tokens against its tenant's daily budget.</summary>
public sealed class TokenMeteringChatClient(IChatClient inner, AgentResourceManager resources) : DelegatingChatClient(inner)
{
    public override async Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        var response = await base.GetResponseAsync(messages, options, cancellationToken);
        if (AgentCallContext.Current is { } call && response.Usage?.TotalTokenCount is > 0 and var tokens)
        {
            await resources.RecordTokensAsync(call.TenantId, tokens);
        }

        return response;
    }
}
