using System.ComponentModel.DataAnnotations;

namespace Apex.Platform.Auth;

/// <summary>How platform access tokens are signed and checked; every service shares these.</summary>
public sealed class AuthOptions
{
    public const string SectionName = "Platform:Auth";

    [Required(ErrorMessage = "Platform:Auth:Issuer is required.")]
    public string Issuer { get; set; } = "apex-auth";

    [Required(ErrorMessage = "Platform:Auth:Audience is required.")]
    public string Audience { get; set; } = "apex-platform";

    [Required(ErrorMessage = "Platform:Auth:SigningKey is required (at least 32 characters).")]
    [MinLength(32, ErrorMessage = "Platform:Auth:SigningKey must be at least 32 characters (256 bits for HS256).")]
    public string SigningKey { get; set; } = string.Empty;

    [Range(typeof(TimeSpan), "00:00:05", "1.00:00:00", ErrorMessage = "Platform:Auth:AccessTokenLifetime must be between 5 s and 1 day.")]
    public TimeSpan AccessTokenLifetime { get; set; } = TimeSpan.FromMinutes(15);
}
