using System.ComponentModel.DataAnnotations;

namespace Apex.Coverage.Web.Access;

/// <summary>
/// <c>Auth:Oidc</c>: an external OpenID Connect provider beside the local accounts. The role comes
/// from a claim of the provider's ID token (<see cref="RoleClaim"/>); a person whose token carries
/// no known role gets <see cref="DefaultRole"/>, or is refused when that is empty.
/// </summary>
public sealed class OidcOptions
{
    public string? Authority { get; set; }

    public string? ClientId { get; set; }

    public string? ClientSecret { get; set; }

    /// <summary>The claim that names the role (viewer, runner or admin).</summary>
    public string RoleClaim { get; set; } = "role";

    /// <summary>The role of a person whose token names none; empty refuses them.</summary>
    public string? DefaultRole { get; set; }

    /// <summary>The button's text on the sign-in page.</summary>
    public string DisplayName { get; set; } = "Single sign-on";

    /// <summary>Off only for a provider on a trusted network or in a test (plain HTTP metadata).</summary>
    public bool RequireHttpsMetadata { get; set; } = true;

    public bool Enabled => !string.IsNullOrWhiteSpace(Authority);

    internal IEnumerable<ValidationResult> Validate()
    {
        if (!Enabled)
        {
            yield break;
        }

        if (!Uri.TryCreate(Authority, UriKind.Absolute, out _))
        {
            yield return new ValidationResult($"Auth:Oidc:Authority must be an absolute URL; \"{Authority}\" is not.", ["Auth:Oidc:Authority"]);
        }

        if (string.IsNullOrWhiteSpace(ClientId))
        {
            yield return new ValidationResult("Auth:Oidc:ClientId is required when Auth:Oidc:Authority is set.", ["Auth:Oidc:ClientId"]);
        }

        if (!string.IsNullOrEmpty(DefaultRole) && !DashboardRoles.IsKnown(DefaultRole))
        {
            yield return new ValidationResult($"Auth:Oidc:DefaultRole must be viewer, runner or admin (or empty); \"{DefaultRole}\" is not.", ["Auth:Oidc:DefaultRole"]);
        }
    }
}
