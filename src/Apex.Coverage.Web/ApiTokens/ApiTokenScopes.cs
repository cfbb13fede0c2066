using System.Security.Claims;

namespace Apex.Coverage.Web.ApiTokens;

/// <summary>What a token may write. Reads need no scope: every live token may read.</summary>
public static class ApiTokenScopes
{
    public const string ResultsWrite = "results:write";
    public const string RunsWrite = "runs:write";

    public static readonly IReadOnlyList<string> All = [ResultsWrite, RunsWrite];

    /// <summary>The stored form: known scopes, space-separated, in a fixed order.</summary>
    public static string Join(IEnumerable<string> scopes) =>
        string.Join(' ', All.Where(scopes.Contains));

    public static IReadOnlyList<string> Split(string? stored) =>
        [.. (stored ?? "").Split(' ', StringSplitOptions.RemoveEmptyEntries).Where(All.Contains)];
}

/// <summary>The claims of a principal that an API token signed in (<see cref="ApiTokenAuthenticationHandler"/>).</summary>
public static class ApiTokenClaims
{
    public const string AuthenticationType = "ApiToken";
    public const string Scope = "scope";
    public const string Suite = "apex:suite";

    public static bool IsToken(ClaimsPrincipal user) =>
        user.Identities.Any(i => i.IsAuthenticated && i.AuthenticationType == AuthenticationType);

    public static ClaimsPrincipal Principal(ApiTokenIdentity token)
    {
        var identity = new ClaimsIdentity(AuthenticationType, ClaimTypes.Name, ClaimTypes.Role);
        identity.AddClaim(new Claim(ClaimTypes.Name, token.Name));
        identity.AddClaims(token.Scopes.Select(s => new Claim(Scope, s)));
        if (token.Suite is { } suite)
        {
            identity.AddClaim(new Claim(Suite, suite));
        }

        return new ClaimsPrincipal(identity);
    }
}
