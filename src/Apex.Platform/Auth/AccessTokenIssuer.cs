using System.Security.Claims;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace Apex.Platform.Auth;

/// <summary>Issues the platform's own HS256 access tokens, which every platform service accepts.</summary>
public sealed class AccessTokenIssuer(IOptions<AuthOptions> options, TimeProvider time)
{
    private readonly JsonWebTokenHandler _handler = new();

    public IssuedToken Issue(PlatformUser user, string sessionId)
    {
        var settings = options.Value;
        var now = time.GetUtcNow();
        var expires = now + settings.AccessTokenLifetime;
        var tokenId = Guid.NewGuid().ToString("N");
        var descriptor = new SecurityTokenDescriptor
        {
            Issuer = settings.Issuer,
            Audience = settings.Audience,
            IssuedAt = now.UtcDateTime,
            NotBefore = now.UtcDateTime,
            Expires = expires.UtcDateTime,
            SigningCredentials = new SigningCredentials(SigningKey(settings), SecurityAlgorithms.HmacSha256),
            Subject = new ClaimsIdentity(
            [
                new Claim(PlatformClaims.Subject, user.Id.ToString()),
                new Claim(PlatformClaims.Tenant, user.TenantId.ToString()),
                new Claim(PlatformClaims.Session, sessionId),
                new Claim(PlatformClaims.TokenId, tokenId),
                new Claim(PlatformClaims.Email, user.Email),
                new Claim(PlatformClaims.Name, user.Name),
            ]),
        };
        return new IssuedToken(_handler.CreateToken(descriptor), tokenId, sessionId, expires);
    }

    public static SymmetricSecurityKey SigningKey(AuthOptions settings) => new(System.Text.Encoding.UTF8.GetBytes(settings.SigningKey));
}

public sealed record IssuedToken(string AccessToken, string TokenId, string SessionId, DateTimeOffset ExpiresAt);
