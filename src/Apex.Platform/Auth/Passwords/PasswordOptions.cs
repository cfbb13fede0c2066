using System.ComponentModel.DataAnnotations;

namespace Apex.Platform.Auth.Passwords;

/// <summary>Password accounts and their reset by email; reset mail works only when an email service is configured.</summary>
public sealed class PasswordOptions : IValidatableObject
{
    public const string SectionName = "Platform:Passwords";

    [Range(8, 128, ErrorMessage = "Platform:Passwords:MinimumLength must be between 8 and 128.")]
    public int MinimumLength { get; set; } = 10;

    [Range(typeof(TimeSpan), "00:01:00", "1.00:00:00", ErrorMessage = "Platform:Passwords:ResetTokenLifetime must be between 1 minute and 1 day.")]
    public TimeSpan ResetTokenLifetime { get; set; } = TimeSpan.FromMinutes(30);

    /// <summary>The email service's address (POST /messages).</summary>
    public Uri? EmailServiceUrl { get; set; }

    public string EmailFrom { get; set; } = "no-reply@apex.test";

    /// <summary>The page the reset link opens; the token is appended as ?token=.</summary>
    public Uri? ResetPageUrl { get; set; }

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (EmailServiceUrl is not null && ResetPageUrl is null)
        {
            yield return new ValidationResult("Platform:Passwords:ResetPageUrl is required when Platform:Passwords:EmailServiceUrl is set.");
        }
    }
}
