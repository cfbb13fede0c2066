using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Options;

namespace Apex.Platform.Billing;

/// <summary>
/// Verifies the gateway's webhook signature, Stripe style: the header carries
/// <c>t=&lt;unix seconds&gt;,v1=&lt;hex HMAC-SHA256 of "t.body"&gt;</c> (several v1 while the secret
/// rotates). The timestamp is signed too, so an old delivery cannot be replayed with a new one.
/// </summary>
public sealed class WebhookSignature(IOptions<BillingOptions> options, TimeProvider time)
{
    public const string HeaderName = "Payment-Signature";

    /// <summary>Null when the payload is authentic and fresh; otherwise why it is refused.</summary>
    public string? Refusal(string? header, string payload)
    {
        var settings = options.Value;
        if (string.IsNullOrEmpty(settings.WebhookSecret)) return "Platform:Billing:WebhookSecret is not configured, so no webhook can be trusted.";
        if (string.IsNullOrWhiteSpace(header)) return $"The webhook is not signed (no {HeaderName} header).";

        var parts = header.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries)
            .Select(part => part.Split('=', 2)).Where(pair => pair.Length == 2).ToLookup(pair => pair[0], pair => pair[1]);
        if (!long.TryParse(parts["t"].FirstOrDefault(), NumberStyles.None, CultureInfo.InvariantCulture, out var timestamp) || !parts["v1"].Any())
        {
            return $"The {HeaderName} header must be t=<unix seconds>,v1=<hex signature>.";
        }

        var age = time.GetUtcNow() - DateTimeOffset.FromUnixTimeSeconds(timestamp);
        if (age.Duration() > settings.WebhookTolerance)
        {
            return $"The webhook's timestamp is {age.TotalSeconds:F0} s from now, outside the {settings.WebhookTolerance.TotalSeconds:F0} s tolerance.";
        }

        var expected = HMACSHA256.HashData(Encoding.UTF8.GetBytes(settings.WebhookSecret), Encoding.UTF8.GetBytes($"{timestamp}.{payload}"));
        return parts["v1"].Any(candidate => Matches(expected, candidate)) ? null : "The webhook's signature does not match its content.";
    }

    // Constant-time comparison, so the response time leaks nothing about the expected signature.
    private static bool Matches(byte[] expected, string candidateHex)
    {
        try
        {
            return CryptographicOperations.FixedTimeEquals(expected, Convert.FromHexString(candidateHex));
        }
        catch (FormatException)
        {
            return false;
        }
    }
}
