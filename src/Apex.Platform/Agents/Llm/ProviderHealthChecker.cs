using System.Net.Http.Headers;
using Microsoft.Extensions.Options;

namespace Apex.Platform.Agents.Llm;

/// <summary>
/// Probes providers that are out of rotation once their Retry-After or cool down has passed
/// (GET {endpoint}/models with the provider's key) and returns each one that answers to traffic,
/// so calls go back to the primary as soon as it is well.
/// </summary>
public sealed class ProviderHealthChecker(
    ProviderHealth health, IOptions<LlmOptions> options, IHttpClientFactory httpClients, TimeProvider time, ILogger<ProviderHealthChecker> logger)
    : BackgroundService
{
    /// <summary>Probes every provider that is due now; answers the ones that recovered.</summary>
    public async Task<IReadOnlyList<string>> ProbeDueAsync(CancellationToken cancellationToken)
    {
        var recovered = new List<string>();
        foreach (var provider in options.Value.Providers().Where(p => health.DueForProbe().Contains(p.Name)))
        {
            if (await AnswersAsync(provider, cancellationToken))
            {
                await health.MarkRecoveredAsync(provider.Name, cancellationToken);
                recovered.Add(provider.Name);
            }
        }

        return recovered;
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(options.Value.HealthCheckInterval, time);
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            try
            {
                await ProbeDueAsync(stoppingToken);
            }
            catch (Exception exception) when (exception is not OperationCanceledException)
            {
                logger.LogWarning(exception, "LLM provider health check failed");
            }
        }
    }

    private async Task<bool> AnswersAsync(LlmProvider provider, CancellationToken cancellationToken)
    {
        using var client = httpClients.CreateClient(LlmClientFactory.HttpClientName);
        using var request = new HttpRequestMessage(HttpMethod.Get, $"{provider.Endpoint.TrimEnd('/')}/models");
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", provider.ApiKey);
        try
        {
            using var response = await client.SendAsync(request, cancellationToken);
            return response.IsSuccessStatusCode;
        }
        catch (HttpRequestException)
        {
            return false;
        }
    }
}
