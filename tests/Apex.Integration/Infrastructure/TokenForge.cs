using Apex.Platform.Auth;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace Apex.Integration.Infrastructure;

/// <summary>
/// Tokens the platform should refuse, made with the platform's own issuer so that only the one
/// property under test is wrong: expired, tampered, for another audience, signed with another key.
/// </summary>
public static class TokenForge
{
    public static string Expired(PlatformUser user) =>
        Issuer(new AuthOptions { SigningKey = PlatformSettings.SigningKey, AccessTokenLifetime = TimeSpan.FromMinutes(5) },
            DateTimeOffset.UtcNow.AddHours(-1)).Issue(user, "expired-session").AccessToken;

    public static string ForAudience(PlatformUser user, string audience) =>
        Issuer(new AuthOptions { SigningKey = PlatformSettings.SigningKey, Audience = audience }, DateTimeOffset.UtcNow)
            .Issue(user, "other-audience").AccessToken;

    public static string SignedWithOtherKey(PlatformUser user) =>
        Issuer(new AuthOptions { SigningKey = "some-other-signing-key-0123456789abcdefgh" }, DateTimeOffset.UtcNow)
            .Issue(user, "other-key").AccessToken;

    /// <summary>The token with its payload altered (another user id) and the signature kept.</summary>
    public static string Tampered(string token, Guid otherUserId)
    {
        var parts = token.Split('.');
        var payload = System.Text.Encoding.UTF8.GetString(Microsoft.IdentityModel.Tokens.Base64UrlEncoder.DecodeBytes(parts[1]));
        var forged = System.Text.RegularExpressions.Regex.Replace(payload, "\"sub\":\"[^\"]+\"", $"\"sub\":\"{otherUserId}\"");
        return $"{parts[0]}.{Microsoft.IdentityModel.Tokens.Base64UrlEncoder.Encode(forged)}.{parts[2]}";
    }

    private static AccessTokenIssuer Issuer(AuthOptions options, DateTimeOffset now) =>
        new(Options.Create(options), new FakeTimeProvider(now));
}
