using System.Net.Http.Json;
using System.Text.Json.Nodes;

namespace Apex.Platform.Agents;

/// <summary>
/// Looks a model's current price up in the external price catalog. The catalog is a remote
/// system: when it is down this sub-agent fails, and the supervisor's LLM decides what then.
/// </summary>
public sealed class PricingLookupAgent(IHttpClientFactory httpClients) : ISubAgent
{
    public const string HttpClientName = "pricing-catalog";

    public string Name => "pricing_lookup";

    public string Description => "Current price per 1,000 tokens of an LLM model, from the live price catalog.";

    public IReadOnlyList<ToolParameter> Parameters { get; } = [new("model", ToolParameterType.String, "Model name, e.g. gpt-4o")];

    public async Task<string> RunAsync(ToolArguments arguments, CancellationToken cancellationToken)
    {
        var client = httpClients.CreateClient(HttpClientName);
        if (client.BaseAddress is null)
        {
            throw new InvalidOperationException("No price catalog is configured (Platform:Agents:PricingCatalogUrl).");
        }

        var model = arguments.String("model");
        using var response = await client.GetAsync(new Uri($"prices/{Uri.EscapeDataString(model)}", UriKind.Relative), cancellationToken);
        response.EnsureSuccessStatusCode();
        var price = await response.Content.ReadFromJsonAsync<CatalogPrice>(cancellationToken)
            ?? throw new InvalidOperationException("The price catalog answered with an empty body.");
        return new JsonObject { ["model"] = model, ["pricePer1kTokens"] = price.PricePer1kTokens, ["source"] = "catalog" }.ToJsonString();
    }

    private sealed record CatalogPrice(string Model, decimal PricePer1kTokens);
}

/// <summary>
/// The published list prices the platform ships with: older than the catalog's, but always
/// there, which makes this the fallback when the catalog cannot be reached.
/// </summary>
public sealed class ListPriceAgent : ISubAgent
{
    private static readonly Dictionary<string, decimal> ListPrices = new(StringComparer.OrdinalIgnoreCase)
    {
        ["gpt-4o"] = 0.30m,
        ["gpt-4o-mini"] = 0.02m,
        ["claude-sonnet"] = 0.45m,
    };

    public string Name => "list_prices";

    public string Description => "Published list price per 1,000 tokens of an LLM model; static, always available.";

    public IReadOnlyList<ToolParameter> Parameters { get; } = [new("model", ToolParameterType.String, "Model name, e.g. gpt-4o")];

    public Task<string> RunAsync(ToolArguments arguments, CancellationToken cancellationToken)
    {
        var model = arguments.String("model");
        return ListPrices.TryGetValue(model, out var price)
            ? Task.FromResult(new JsonObject { ["model"] = model, ["pricePer1kTokens"] = price, ["source"] = "list" }.ToJsonString())
            : throw new KeyNotFoundException($"No list price for model '{model}'. Known: {string.Join(", ", ListPrices.Keys)}.");
    }
}

/// <summary>Turns a token volume and a unit price into money, in decimal so cents stay exact.</summary>
public sealed class CostCalculatorAgent : ISubAgent
{
    public string Name => "cost_calculator";

    public string Description => "Cost of a token volume at a price per 1,000 tokens, rounded to cents.";

    public IReadOnlyList<ToolParameter> Parameters { get; } =
    [
        new("tokens", ToolParameterType.Integer, "Number of tokens", Minimum: 0),
        new("pricePer1kTokens", ToolParameterType.Number, "Price per 1,000 tokens", Minimum: 0),
    ];

    public Task<string> RunAsync(ToolArguments arguments, CancellationToken cancellationToken)
    {
        var tokens = arguments.Integer("tokens");
        var cost = decimal.Round(tokens / 1000m * arguments.Number("pricePer1kTokens"), 2, MidpointRounding.AwayFromZero);
        return Task.FromResult(new JsonObject { ["tokens"] = tokens, ["cost"] = cost }.ToJsonString());
    }
}
