using System.ClientModel;
using System.Globalization;
using Microsoft.Extensions.AI;

namespace Apex.Platform.Agents.Llm;

/// <summary>A provider's client and where it stands in the chain.</summary>
public sealed record ProviderClient(LlmProvider Provider, IChatClient Client);

/// <summary>
/// Sends each call to the first available provider of the chain (primary first). A 5xx, a 408, a
/// 429 (out for its Retry-After), a connection failure or no answer within the attempt timeout
/// takes the provider out and moves the call to the next; other answers (a 400, a 401) are the
/// caller's problem and are not retried elsewhere. The serving provider is named on the response.
/// </summary>
public sealed class ProviderFailoverChatClient(IReadOnlyList<ProviderClient> providers, ProviderHealth health, LlmOptions options, TimeProvider time)
    : IChatClient
{
    public const string ProviderProperty = "apex.provider";

    public async Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? chatOptions = null, CancellationToken cancellationToken = default)
    {
        var list = messages as IList<ChatMessage> ?? [.. messages];
        var failures = new List<string>();
        // With every provider out of rotation, trying them all beats refusing the call.
        var candidates = providers.Where(p => health.IsAvailable(p.Provider.Name)).ToList();
        foreach (var (provider, client) in candidates.Count > 0 ? candidates : providers)
        {
            using var attempt = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            attempt.CancelAfter(options.AttemptTimeout);
            try
            {
                var response = await client.GetResponseAsync(list, chatOptions, attempt.Token);
                if (failures.Count > 0) await health.RecordFailoverAsync(string.Join(", ", failures), provider.Name, CancellationToken.None);
                (response.AdditionalProperties ??= [])[ProviderProperty] = provider.Name;
                return response;
            }
            catch (Exception exception) when (Failover(exception, cancellationToken) is { } outFor)
            {
                var reason = Describe(exception);
                failures.Add($"{provider.Name} ({reason})");
                await health.MarkFailedAsync(provider.Name, reason, outFor, CancellationToken.None);
            }
        }

        throw new LlmUnavailableException($"Every LLM provider failed: {string.Join("; ", failures)}.");
    }

    public IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? chatOptions = null, CancellationToken cancellationToken = default) =>
        throw new NotSupportedException("The supervisor does not stream.");

    public object? GetService(Type serviceType, object? serviceKey = null) => providers[0].Client.GetService(serviceType, serviceKey);

    public void Dispose()
    {
        foreach (var provider in providers) provider.Client.Dispose();
    }

    /// <summary>How long to leave the provider out, or null when the failure is not the provider's.</summary>
    private TimeSpan? Failover(Exception exception, CancellationToken caller) => exception switch
    {
        OperationCanceledException when caller.IsCancellationRequested => null,
        OperationCanceledException => options.CoolDown,
        ClientResultException { Status: 429 } limited => RetryAfter(limited) ?? options.CoolDown,
        ClientResultException { Status: 0 or 408 or >= 500 } => options.CoolDown,
        HttpRequestException => options.CoolDown,
        _ => null,
    };

    private TimeSpan? RetryAfter(ClientResultException exception)
    {
        if (exception.GetRawResponse()?.Headers.TryGetValue("Retry-After", out var value) != true || value is null) return null;
        if (int.TryParse(value, NumberStyles.Integer, CultureInfo.InvariantCulture, out var seconds)) return TimeSpan.FromSeconds(seconds);
        return DateTimeOffset.TryParse(value, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var at) ? at - time.GetUtcNow() : null;
    }

    private string Describe(Exception exception) => exception switch
    {
        OperationCanceledException => $"no answer within {options.AttemptTimeout.TotalSeconds.ToString(CultureInfo.InvariantCulture)} s",
        ClientResultException { Status: 429 } limited => $"rate limited (429{(RetryAfter(limited) is { } after ? $", Retry-After {after.TotalSeconds.ToString(CultureInfo.InvariantCulture)} s" : string.Empty)})",
        ClientResultException { Status: var status } when status > 0 => $"HTTP {status}",
        _ => exception.Message,
    };
}

/// <summary>No provider could answer; the message names each one and why.</summary>
public sealed class LlmUnavailableException(string message) : Exception(message);
