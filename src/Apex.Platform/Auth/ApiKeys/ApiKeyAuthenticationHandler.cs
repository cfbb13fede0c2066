using System.Globalization;
using System.Security.Claims;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Options;

namespace Apex.Platform.Auth.ApiKeys;

/// <summary>
/// Authenticates "X-Api-Key: apx_..." as the key's owner: the same sub and tid claims a token
/// carries, so every endpoint sees the user's context; sid names the key, so a key is never
/// mistaken for a login session.
/// </summary>
public sealed class ApiKeyAuthenticationHandler(IOptionsMonitor<AuthenticationSchemeOptions> options, ILoggerFactory logger, UrlEncoder encoder, ApiKeyStore keys)
    : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    public const string SchemeName = "ApiKey";
    public const string HeaderName = "X-Api-Key";
    public const string KeyIdClaim = "apikey";
    public const string RateClaim = "apikey_rate";

    protected override async Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        var presented = Request.Headers[HeaderName].ToString();
        if (presented.Length == 0) return AuthenticateResult.NoResult();
        var key = await keys.ValidateAsync(presented, Context.RequestAborted);
        if (key is null) return AuthenticateResult.Fail("The API key is not valid or has been revoked.");

        var identity = new ClaimsIdentity(
        [
            new Claim(PlatformClaims.Subject, key.UserId.ToString()),
            new Claim(PlatformClaims.Tenant, key.TenantId.ToString()),
            new Claim(PlatformClaims.Session, $"apikey:{key.Id:N}"),
            new Claim(PlatformClaims.TokenId, key.Id.ToString("N")),
            new Claim(KeyIdClaim, key.Id.ToString()),
            new Claim(RateClaim, key.RatePerMinute.ToString(CultureInfo.InvariantCulture)),
        ], SchemeName, PlatformClaims.Name, null);
        return AuthenticateResult.Success(new AuthenticationTicket(new ClaimsPrincipal(identity), SchemeName));
    }
}
