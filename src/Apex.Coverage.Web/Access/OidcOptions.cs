using System.ComponentModel.DataAnnotations;

namespace Apex.Coverage.Web.Access;

/// <summary>
/// <c>Auth:Oidc</c>: an external OpenID Connect provider beside the local accounts (ADR 0220). The
/// role comes from a claim of the provider's ID token (<see cref="RoleClaim"/>), its values mapped by
/// <see cref="RoleMap"/>; a person whose token carries no mapped value gets <see cref="DefaultRole"/>,
/// or is refused when that is empty (the default).
/// </summary>
public sealed class OidcOptions
{
    public const string Section = "Auth:Oidc";

    /// <summary>The provider's issuer URL; its discovery document is read from <c>.well-known/openid-configuration</c> under it.</summary>
    public string? Authority { get; set; }

    public string? ClientId { get; set; }

    /// <summary>The dashboard is a confidential client: the code exchange authenticates with this secret (and PKCE).</summary>
    public string? ClientSecret { get; set; }

    /// <summary>The ID token claim that names the role, e.g. <c>role</c>, <c>roles</c> or <c>groups</c>.</summary>
    public string RoleClaim { get; set; } = "role";

    /// <summary>
    /// Claim value → dashboard role (viewer, runner or admin), e.g. <c>"apex-admins": "admin"</c>. Empty: the
    /// values <c>viewer</c>, <c>runner</c> and <c>admin</c> name themselves. When a person has several, the highest wins.
    /// </summary>
    public Dictionary<string, string> RoleMap { get; set; } = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>The role of a person whose token names none that maps; empty refuses them.</summary>
    public string? DefaultRole { get; set; }

    /// <summary>The claim that becomes the account's e-mail (its name on the trail); <c>preferred_username</c> when absent.</summary>
    public string EmailClaim { get; set; } = "email";

    /// <summary>Scopes asked for beside <c>openid profile email</c>, e.g. <c>roles</c> or <c>groups</c> when the provider needs one for the role claim.</summary>
    public List<string> Scopes { get; set; } = [];

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

        if (!Uri.TryCreate(Authority, UriKind.Absolute, out var authority) || authority.Scheme is not ("https" or "http"))
        {
            yield return Invalid("Authority", $"must be an absolute http(s) URL; \"{Authority}\" is not.");
        }
        else if (authority.Scheme == "http" && RequireHttpsMetadata)
        {
            yield return Invalid("Authority", $"is plain HTTP (\"{Authority}\"): use https, or set Auth:Oidc:RequireHttpsMetadata=false for a provider on a trusted network.");
        }

        foreach (var (key, value) in new[] { ("ClientId", ClientId), ("ClientSecret", ClientSecret), ("RoleClaim", RoleClaim), ("EmailClaim", EmailClaim) })
        {
            if (string.IsNullOrWhiteSpace(value))
            {
                yield return Invalid(key, "is required when Auth:Oidc:Authority is set.");
            }
        }

        foreach (var (value, role) in RoleMap.Where(m => !DashboardRoles.IsKnown(m.Value)))
        {
            yield return Invalid($"RoleMap:{value}", $"must be viewer, runner or admin; \"{role}\" is not.");
        }

        if (!string.IsNullOrEmpty(DefaultRole) && !DashboardRoles.IsKnown(DefaultRole))
        {
            yield return Invalid("DefaultRole", $"must be viewer, runner or admin (or empty); \"{DefaultRole}\" is not.");
        }
    }

    private static ValidationResult Invalid(string key, string message) => new($"{Section}:{key} {message}", [$"{Section}:{key}"]);
}
