using System.Net.Http.Headers;
using System.Net.Http.Json;
using Microsoft.Extensions.Options;

namespace Apex.Platform.Auth.TwoFactor;

/// <summary>The external SMS gateway, over HTTP: POST /messages with the recipient and the text.</summary>
public sealed class SmsGatewayClient(HttpClient http, IOptions<TwoFactorOptions> options)
{
    public bool Configured => options.Value.SmsGatewayUrl is not null;

    public async Task SendAsync(string to, string text, CancellationToken cancellationToken)
    {
        var settings = options.Value;
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(settings.SmsGatewayUrl!, "messages"))
        {
            Content = JsonContent.Create(new { to, text }),
        };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", settings.SmsApiKey);
        try
        {
            using var response = await http.SendAsync(request, cancellationToken);
            if (!response.IsSuccessStatusCode) throw new SmsDeliveryException($"The SMS gateway refused the message ({(int)response.StatusCode}).");
        }
        catch (HttpRequestException e)
        {
            throw new SmsDeliveryException($"The SMS gateway could not be reached: {e.Message}");
        }
    }
}

public sealed class SmsDeliveryException(string message) : Exception(message);
