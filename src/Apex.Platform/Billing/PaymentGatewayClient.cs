using System.Net.Http.Headers;
using System.Net.Http.Json;
using Microsoft.Extensions.Options;

namespace Apex.Platform.Billing;

/// <summary>The payment gateway's API as the platform uses it: creating a hosted checkout session.</summary>
public sealed class PaymentGatewayClient(HttpClient http, IOptions<BillingOptions> options)
{
    public bool IsConfigured => options.Value.GatewayUrl is not null && !string.IsNullOrWhiteSpace(options.Value.GatewayApiKey);

    public async Task<GatewaySession> CreateCheckoutSessionAsync(Guid tenantId, string plan, decimal amount, string currency, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(new Uri(options.Value.GatewayUrl!), "v1/checkout/sessions"))
        {
            Content = JsonContent.Create(new { reference = tenantId.ToString(), plan, amount, currency }),
        };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", options.Value.GatewayApiKey);
        using var response = await http.SendAsync(request, cancellationToken);
        response.EnsureSuccessStatusCode();
        var session = await response.Content.ReadFromJsonAsync<GatewaySession>(cancellationToken);
        return session is { Id.Length: > 0, Url: not null }
            ? session
            : throw new HttpRequestException("The payment gateway answered without a session id and URL.");
    }
}

public sealed record GatewaySession(string Id, Uri Url);
