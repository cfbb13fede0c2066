using System.ClientModel;
using System.ClientModel.Primitives;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Options;
using OpenAI;

namespace Apex.Platform.Agents;

/// <summary>
/// The LLM provider behind <see cref="IChatClient"/>: OpenAI's client over an HttpClient from the
/// factory, pointed at the configured endpoint. Built on first use, because a platform without a
/// key still serves stored runs.
/// </summary>
public sealed class LlmClientFactory(IOptions<LlmOptions> options, IHttpClientFactory httpClients)
{
    public const string HttpClientName = "llm";

    private readonly Lazy<IChatClient> _client = new(() => Create(options.Value, httpClients));

    public bool IsConfigured => !string.IsNullOrWhiteSpace(options.Value.ApiKey);

    public IChatClient Client => IsConfigured
        ? _client.Value
        : throw new InvalidOperationException("Platform:Llm:ApiKey is not configured, so no agent run can start.");

    private static IChatClient Create(LlmOptions settings, IHttpClientFactory httpClients)
    {
        var clientOptions = new OpenAIClientOptions
        {
            Endpoint = new Uri(settings.Endpoint),
            Transport = new HttpClientPipelineTransport(httpClients.CreateClient(HttpClientName)),
            RetryPolicy = new ClientRetryPolicy(settings.MaxRetries),
        };
        return new OpenAI.Chat.ChatClient(settings.Model, new ApiKeyCredential(settings.ApiKey), clientOptions).AsIChatClient();
    }
}
