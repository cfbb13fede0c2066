using System.ComponentModel.DataAnnotations;

namespace Apex.Coverage.Web.Access;

/// <summary>The <c>Auth</c> section: who may read without signing in, and the optional OIDC provider.</summary>
public sealed class AccessOptions : IValidatableObject
{
    public const string SectionName = "Auth";

    /// <summary>
    /// Lets anybody read every page and GET endpoint without signing in (a wall screen on a trusted
    /// network). Off by default: a networked dashboard needs a viewer at least. Actions still need their role.
    /// </summary>
    public bool AnonymousRead { get; set; }

    /// <summary>How long a sign-in lasts without activity (sliding).</summary>
    [Range(typeof(TimeSpan), "00:01:00", "30.00:00:00", ErrorMessage = "Auth:CookieLifetime must be between 1 minute and 30 days.")]
    public TimeSpan CookieLifetime { get; set; } = TimeSpan.FromHours(8);

    /// <summary>An external OpenID Connect provider; off while <c>Auth:Oidc:Authority</c> is empty.</summary>
    public OidcOptions Oidc { get; set; } = new();

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext) => Oidc.Validate();
}
