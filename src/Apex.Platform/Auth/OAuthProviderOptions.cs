using System.ComponentModel.DataAnnotations;

namespace Apex.Platform.Auth;

/// <summary>The external OAuth 2.0 identity provider the auth service exchanges codes with.</summary>
public sealed class OAuthProviderOptions
{
    public const string SectionName = "Platform:OAuth";

    [Required(ErrorMessage = "Platform:OAuth:BaseUrl is required (the identity provider's address).")]
    public Uri? BaseUrl { get; set; }

    [Required(ErrorMessage = "Platform:OAuth:ClientId is required.")]
    public string ClientId { get; set; } = string.Empty;

    [Required(ErrorMessage = "Platform:OAuth:ClientSecret is required.")]
    public string ClientSecret { get; set; } = string.Empty;

    [Required(ErrorMessage = "Platform:OAuth:RedirectUri is required.")]
    public Uri? RedirectUri { get; set; }
}
