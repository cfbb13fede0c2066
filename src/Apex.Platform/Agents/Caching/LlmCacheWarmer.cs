using Apex.Platform.Agents.Llm;
using Microsoft.Extensions.AI;

namespace Apex.Platform.Agents.Caching;

/// <summary>
/// Fills a tenant's cache for prompts known to come (a product's suggested questions): each is
/// sent as the first round of a run would send it, so the run that follows is a hit.
/// </summary>
public sealed class LlmCacheWarmer(LlmClientFactory llm, ToolDispatcher dispatcher)
{
    public async Task<int> WarmAsync(Guid tenantId, IReadOnlyList<string> prompts, CancellationToken cancellationToken)
    {
        using var call = AgentCallContext.Begin(Guid.Empty, tenantId);
        var chatOptions = new ChatOptions { Tools = dispatcher.Declarations(), ToolMode = ChatToolMode.Auto };
        foreach (var prompt in prompts)
        {
            await llm.Client.GetResponseAsync([new(ChatRole.System, Supervisor.Instructions), new(ChatRole.User, prompt)], chatOptions, cancellationToken);
        }

        return prompts.Count;
    }
}
