using System.Net.Http.Headers;
using System.Text.Json.Nodes;
using Apex.Platform.Agents.Llm;
using Microsoft.Extensions.Options;
using Npgsql;

namespace Apex.Platform.Agents.Costs;

/// <summary>One provider and model: the tokens we tracked against the tokens the provider reports.</summary>
public sealed record UsageDifference(string Provider, string Model, long TrackedInput, long ReportedInput, long TrackedOutput, long ReportedOutput)
{
    public bool Matches => TrackedInput == ReportedInput && TrackedOutput == ReportedOutput;
}

/// <summary>
/// Compares the platform's tracked usage with each provider's own usage report
/// (GET {endpoint}/usage), per provider and model, so a missed or double-counted call shows.
/// </summary>
public sealed class UsageReconciler(NpgsqlDataSource dataSource, IOptions<LlmOptions> options, IHttpClientFactory httpClients)
{
    public async Task<IReadOnlyList<UsageDifference>> ReconcileAsync(CancellationToken cancellationToken)
    {
        var differences = new List<UsageDifference>();
        foreach (var provider in options.Value.Providers())
        {
            var reported = await ReportedAsync(provider, cancellationToken);
            var tracked = await TrackedAsync(provider.Name, cancellationToken);
            foreach (var model in reported.Keys.Union(tracked.Keys).Order(StringComparer.Ordinal))
            {
                var (ti, to) = tracked.GetValueOrDefault(model);
                var (ri, ro) = reported.GetValueOrDefault(model);
                differences.Add(new UsageDifference(provider.Name, model, ti, ri, to, ro));
            }
        }

        return differences;
    }

    private async Task<Dictionary<string, (long, long)>> ReportedAsync(LlmProvider provider, CancellationToken cancellationToken)
    {
        using var client = httpClients.CreateClient(LlmClientFactory.HttpClientName);
        using var request = new HttpRequestMessage(HttpMethod.Get, $"{provider.Endpoint.TrimEnd('/')}/usage");
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", provider.ApiKey);
        using var response = await client.SendAsync(request, cancellationToken);
        response.EnsureSuccessStatusCode();
        var data = JsonNode.Parse(await response.Content.ReadAsStringAsync(cancellationToken))!["data"]!.AsArray();
        return data.ToDictionary(row => row!["model"]!.GetValue<string>(),
            row => (row!["prompt_tokens"]!.GetValue<long>(), row["completion_tokens"]!.GetValue<long>()), StringComparer.Ordinal);
    }

    private async Task<Dictionary<string, (long, long)>> TrackedAsync(string provider, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand(
            "SELECT model, sum(input_tokens)::bigint, sum(output_tokens)::bigint FROM agent_llm_costs WHERE provider = $1 GROUP BY model");
        command.Parameters.Add(new NpgsqlParameter { Value = provider });
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var tracked = new Dictionary<string, (long, long)>(StringComparer.Ordinal);
        while (await reader.ReadAsync(cancellationToken)) tracked[reader.GetString(0)] = (reader.GetInt64(1), reader.GetInt64(2));
        return tracked;
    }
}
