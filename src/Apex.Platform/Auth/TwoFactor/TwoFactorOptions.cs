using System.ComponentModel.DataAnnotations;

namespace Apex.Platform.Auth.TwoFactor;

/// <summary>Second-factor settings; SMS fallback works only when an SMS gateway is configured.</summary>
public sealed class TwoFactorOptions : IValidatableObject
{
    public const string SectionName = "Platform:TwoFactor";

    [Required(ErrorMessage = "Platform:TwoFactor:Issuer is required (the name authenticator apps show).")]
    public string Issuer { get; set; } = "Apex";

    public Uri? SmsGatewayUrl { get; set; }

    public string SmsApiKey { get; set; } = string.Empty;

    [Range(typeof(TimeSpan), "00:00:30", "01:00:00", ErrorMessage = "Platform:TwoFactor:ChallengeLifetime must be between 30 s and 1 hour.")]
    public TimeSpan ChallengeLifetime { get; set; } = TimeSpan.FromMinutes(10);

    [Range(typeof(TimeSpan), "00:00:30", "00:30:00", ErrorMessage = "Platform:TwoFactor:SmsCodeLifetime must be between 30 s and 30 minutes.")]
    public TimeSpan SmsCodeLifetime { get; set; } = TimeSpan.FromMinutes(5);

    [Range(1, 20, ErrorMessage = "Platform:TwoFactor:MaxAttempts must be between 1 and 20.")]
    public int MaxAttempts { get; set; } = 5;

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (SmsGatewayUrl is not null && string.IsNullOrEmpty(SmsApiKey))
        {
            yield return new ValidationResult("Platform:TwoFactor:SmsApiKey is required when Platform:TwoFactor:SmsGatewayUrl is set.");
        }
    }
}
