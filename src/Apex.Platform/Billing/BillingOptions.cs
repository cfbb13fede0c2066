using System.ComponentModel.DataAnnotations;

namespace Apex.Platform.Billing;

/// <summary>
/// Plans, prices and the payment gateway. Without a gateway URL checkout answers 503; without a
/// webhook secret every webhook is refused, because an unverifiable payment must unlock nothing.
/// </summary>
public sealed class BillingOptions
{
    public const string SectionName = "Platform:Billing";

    [Url(ErrorMessage = "Platform:Billing:GatewayUrl must be an absolute URL.")]
    public string? GatewayUrl { get; set; }

    public string GatewayApiKey { get; set; } = string.Empty;

    public string WebhookSecret { get; set; } = string.Empty;

    /// <summary>How far a webhook's signed timestamp may be from now; older deliveries are replays.</summary>
    [Range(typeof(TimeSpan), "00:00:30", "01:00:00", ErrorMessage = "Platform:Billing:WebhookTolerance must be between 30 s and 1 h.")]
    public TimeSpan WebhookTolerance { get; set; } = TimeSpan.FromMinutes(5);

    [Range(1, 100_000, ErrorMessage = "Platform:Billing:FreeAgentRunsPerMonth must be between 1 and 100000.")]
    public int FreeAgentRunsPerMonth { get; set; } = 3;

    [Range(typeof(decimal), "0.50", "100000", ErrorMessage = "Platform:Billing:ProMonthlyPrice must be between 0.50 and 100000.")]
    public decimal ProMonthlyPrice { get; set; } = 49.00m;

    [Range(typeof(decimal), "0.50", "100000", ErrorMessage = "Platform:Billing:TeamMonthlyPrice must be between 0.50 and 100000.")]
    public decimal TeamMonthlyPrice { get; set; } = 199.00m;

    /// <summary>The email provider that sends billing notices; without it notices wait in the outbox.</summary>
    [Url(ErrorMessage = "Platform:Billing:NotificationUrl must be an absolute URL.")]
    public string? NotificationUrl { get; set; }

    public string NotificationApiKey { get; set; } = string.Empty;

    [Required(ErrorMessage = "Platform:Billing:Currency is required (ISO 4217, lower case).")]
    [RegularExpression("^[a-z]{3}$", ErrorMessage = "Platform:Billing:Currency must be a three-letter ISO 4217 code in lower case.")]
    public string Currency { get; set; } = "usd";
}
