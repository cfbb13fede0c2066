using Apex.Platform.Agents.Llm;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Options;

namespace Apex.Platform.Agents.Caching;

/// <summary>Answers a call from the tenant's cache when the same prompt was answered under the same model and tools.</summary>
public sealed class TenantCacheChatClient(IChatClient inner, LlmResponseCache cache, IOptions<LlmCacheOptions> options, string model) : DelegatingChatClient(inner)
{
    public const string CacheProperty = "apex.cache";

    public override async Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? chatOptions = null, CancellationToken cancellationToken = default)
    {
        if (!options.Value.Enabled || AgentCallContext.Current is not { } call)
        {
            return await base.GetResponseAsync(messages, chatOptions, cancellationToken);
        }

        var list = messages as IList<ChatMessage> ?? [.. messages];
        var generation = LlmResponseCache.Generation(chatOptions?.ModelId ?? model, chatOptions?.Tools?.Select(t => t.Name) ?? []);
        var prompt = LlmResponseCache.PromptHash(list);
        if (await cache.GetAsync(call.TenantId, generation, prompt) is { } cached)
        {
            (cached.AdditionalProperties ??= [])[CacheProperty] = "hit";
            return cached;
        }

        var response = await base.GetResponseAsync(list, chatOptions, cancellationToken);
        await cache.SetAsync(call.TenantId, generation, prompt, response);
        return response;
    }
}
