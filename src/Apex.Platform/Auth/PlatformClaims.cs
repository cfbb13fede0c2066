using System.Security.Claims;

namespace Apex.Platform.Auth;

/// <summary>The claims a platform access token carries, and the user context read back from them.</summary>
public static class PlatformClaims
{
    public const string Subject = "sub";
    public const string Tenant = "tid";
    public const string Session = "sid";
    public const string TokenId = "jti";
    public const string Email = "email";
    public const string Name = "name";

    public static UserContext ToUserContext(this ClaimsPrincipal principal) => new(
        Guid.Parse(Require(principal, Subject)),
        Guid.Parse(Require(principal, Tenant)),
        Require(principal, Session),
        Require(principal, TokenId));

    private static string Require(ClaimsPrincipal principal, string type) =>
        principal.FindFirst(type)?.Value ?? throw new InvalidOperationException($"The access token has no '{type}' claim.");
}

/// <summary>Who is calling: the user, their tenant, their login session and this token.</summary>
public sealed record UserContext(Guid UserId, Guid TenantId, string SessionId, string TokenId);
