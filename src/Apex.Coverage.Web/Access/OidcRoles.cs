using System.Security.Claims;

namespace Apex.Coverage.Web.Access;

/// <summary>The dashboard role a provider's ID token gives (ADR 0220): a pure rule over the claims, kept apart from the sign-in.</summary>
public static class OidcRoles
{
    /// <summary>
    /// The highest role that a value of the role claim maps to (through <see cref="OidcOptions.RoleMap"/>, or the
    /// role names themselves while the map is empty); else <see cref="OidcOptions.DefaultRole"/>; else null (refused).
    /// </summary>
    public static string? Of(ClaimsPrincipal principal, OidcOptions options)
    {
        var mapped = principal.FindAll(options.RoleClaim)
            .Select(claim => Map(claim.Value.Trim(), options))
            .OfType<string>()
            .ToHashSet(StringComparer.Ordinal);
        var highest = DashboardRoles.All.LastOrDefault(mapped.Contains);
        return highest ?? (string.IsNullOrEmpty(options.DefaultRole) ? null : options.DefaultRole);
    }

    private static string? Map(string value, OidcOptions options)
    {
        if (options.RoleMap.Count > 0)
        {
            return options.RoleMap.TryGetValue(value, out var role) ? role : null;
        }

        var named = value.ToLowerInvariant();
        return DashboardRoles.IsKnown(named) ? named : null;
    }
}
