using System.Security.Claims;

namespace Apex.Coverage.Web.ApiTokens;

/// <summary>What a token may write. Reads need no scope: every live token may read (the alerts API excepted).</summary>
public static class ApiTokenScopes
{
    public const string ResultsWrite = "results:write";
    public const string RunsWrite = "runs:write";

    /// <summary>An admin's scope: read and change the alert webhooks (they hold secrets and send data out). Never given by default.</summary>
    public const string AlertsWrite = "alerts:write";

    /// <summary>The scopes a token gets when none is named (and that tokens made before scopes hold).</summary>
    public static readonly IReadOnlyList<string> All = [ResultsWrite, RunsWrite];

    /// <summary>Every scope a token may be given.</summary>
    public static readonly IReadOnlyList<string> Known = [ResultsWrite, RunsWrite, AlertsWrite];

    /// <summary>The stored form: known scopes, space-separated, in a fixed order.</summary>
    public static string Join(IEnumerable<string> scopes) =>
        string.Join(' ', Known.Where(scopes.Contains));

    public static IReadOnlyList<string> Split(string? stored) =>
        [.. (stored ?? "").Split(' ', StringSplitOptions.RemoveEmptyEntries).Where(Known.Contains)];
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
