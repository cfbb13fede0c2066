using System.ClientModel;
using System.ClientModel.Primitives;
using Apex.Platform.Agents.Caching;
using Apex.Platform.Agents.Context;
using Apex.Platform.Agents.Costs;
using Apex.Platform.Agents.Llm;
using Apex.Platform.Agents.Metrics;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Options;
using OpenAI;

namespace Apex.Platform.Agents;

/// <summary>
/// The LLM provider behind <see cref="IChatClient"/>: OpenAI's client over an HttpClient from the
/// factory, pointed at the configured endpoint, inside the platform's pipeline (outermost first):
/// context window fitting, the response cache, cost tracking, metrics, and failover across the
/// configured providers. Built on first use, because a platform without a key still serves stored runs.
/// </summary>
public sealed class LlmClientFactory(IOptions<LlmOptions> options, IHttpClientFactory httpClients, IServiceProvider services)
{
    public const string HttpClientName = "llm";

    private readonly Lazy<IChatClient> _client = new(() => Create(options.Value, httpClients, services));

    public bool IsConfigured => !string.IsNullOrWhiteSpace(options.Value.ApiKey);

    public IChatClient Client => IsConfigured
        ? _client.Value
        : throw new InvalidOperationException("Platform:Llm:ApiKey is not configured, so no agent run can start.");

    private static IChatClient Create(LlmOptions settings, IHttpClientFactory httpClients, IServiceProvider services)
    {
        var providers = settings.Providers().Select(p => new ProviderClient(p, Provider(p, settings.MaxRetries, httpClients))).ToList();
        // One provider needs no failover: its failures go to the caller as the provider gave them.
        IChatClient client = providers.Count == 1
            ? providers[0].Client
            : new ProviderFailoverChatClient(providers, services.GetRequiredService<ProviderHealth>(), settings, services.GetRequiredService<TimeProvider>());
        client = new MetricsChatClient(client, services.GetRequiredService<AgentMetrics>(), settings.Name);
        client = new CostChatClient(client, services.GetRequiredService<CostTracker>(), settings.Model);
        client = new Resources.TokenMeteringChatClient(client, services.GetRequiredService<Resources.AgentResourceManager>());
        client = new TenantCacheChatClient(client, services.GetRequiredService<LlmResponseCache>(), services.GetRequiredService<IOptions<LlmCacheOptions>>(), settings.Model);
        return new ContextWindowChatClient(client, services.GetRequiredService<ContextWindowManager>(), services.GetRequiredService<ContextTrimStore>(), settings.Model);
    }

    private static IChatClient Provider(LlmProvider provider, int maxRetries, IHttpClientFactory httpClients)
    {
        var clientOptions = new OpenAIClientOptions
        {
            Endpoint = new Uri(provider.Endpoint),
            Transport = new HttpClientPipelineTransport(httpClients.CreateClient(HttpClientName)),
            RetryPolicy = new ClientRetryPolicy(maxRetries),
        };
        return new OpenAI.Chat.ChatClient(provider.Model, new ApiKeyCredential(provider.ApiKey), clientOptions).AsIChatClient();
    }
}
