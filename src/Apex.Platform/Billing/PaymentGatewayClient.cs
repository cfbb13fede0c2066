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

    /// <summary>
    /// Charges the tenant's saved payment method (renewals, upgrade proration). The idempotency key
    /// makes a retried request charge once: the gateway answers it with the first result.
    /// </summary>
    public async Task<GatewayCharge> ChargeAsync(Guid tenantId, decimal amount, string currency, string description, string idempotencyKey,
        CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(new Uri(options.Value.GatewayUrl!), "v1/charges"))
        {
            Content = JsonContent.Create(new { reference = tenantId.ToString(), amount, currency, description }),
        };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", options.Value.GatewayApiKey);
        request.Headers.Add("Idempotency-Key", idempotencyKey);
        using var response = await http.SendAsync(request, cancellationToken);
        response.EnsureSuccessStatusCode();
        var charge = await response.Content.ReadFromJsonAsync<GatewayCharge>(cancellationToken);
        return charge is { Id.Length: > 0, Status.Length: > 0 } ? charge : throw new HttpRequestException("The payment gateway answered without a charge id and status.");
    }
}

public sealed record GatewaySession(string Id, Uri Url);

/// <summary>A charge of the saved payment method: succeeded, or declined with the gateway's reason.</summary>
public sealed record GatewayCharge(string Id, string Status, string? FailureReason)
{
    public bool Succeeded => Status == "succeeded";
}
