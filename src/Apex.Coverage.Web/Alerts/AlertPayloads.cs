using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace Apex.Coverage.Web.Alerts;

/// <summary>
/// The body each format wants: Apex's JSON (event, title, text, details, links), a Slack incoming
/// webhook message (text plus one mrkdwn section), a Teams connector MessageCard. And the
/// signature every body carries.
/// </summary>
public static class AlertPayloads
{
    public const string SignatureHeader = "X-Apex-Signature-256";

    public static string Body(WebhookFormat format, AlertEvent alert, long runId, string? dashboardUrl, DateTimeOffset at)
    {
        var link = dashboardUrl is null ? null : $"{dashboardUrl.TrimEnd('/')}/runs/{runId}";
        object body = format switch
        {
            WebhookFormat.Slack => new
            {
                text = alert.Title,
                blocks = new object[] { new { type = "section", text = new { type = "mrkdwn", text = $"*{alert.Title}*\n{alert.Text}" + (link is null ? "" : $"\n<{link}|Run #{runId}>") } } },
            },
            WebhookFormat.Teams => new Dictionary<string, object?>
            {
                ["@type"] = "MessageCard",
                ["@context"] = "https://schema.org/extensions",
                ["summary"] = alert.Title,
                ["themeColor"] = alert.Kind == AlertDetector.TestFlaky ? "DFB317" : "E05D44",
                ["title"] = alert.Title,
                ["text"] = alert.Text + (link is null ? "" : $" [Run #{runId}]({link})"),
            },
            _ => new { @event = alert.Kind, subject = alert.Subject, title = alert.Title, text = alert.Text, runId, occurredAt = at, link, details = alert.Details },
        };
        return JsonSerializer.Serialize(body, JsonSerializerOptions.Web);
    }

    /// <summary>"sha256=" and the lower-case hex HMAC-SHA256 of the body's UTF-8 bytes under the webhook's secret.</summary>
    public static string Signature(string secret, string body) =>
        "sha256=" + Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), Encoding.UTF8.GetBytes(body)));
}
