using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.Tokens;

namespace Apex.Platform.Auth.Context;

/// <summary>
/// The enriched user context one service hands the next, so the next need not look the user up
/// again. It is HMAC-signed with a key derived from the platform key (HKDF, its own purpose, so a
/// context MAC can never pass for a token signature) and bound to the caller's token (user, tenant,
/// session) and to the trace; anything else is a forgery.
/// </summary>
public sealed class UserContextSigner(IOptions<AuthOptions> options, TimeProvider time)
{
    public const string Header = "X-Apex-User-Context";
    private static readonly TimeSpan MaxAge = TimeSpan.FromMinutes(1);
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    private byte[] Key => HKDF.DeriveKey(HashAlgorithmName.SHA256, Encoding.UTF8.GetBytes(options.Value.SigningKey), 32,
        salt: [], info: "apex-user-context-v1"u8.ToArray());

    public string Sign(EnrichedContext context)
    {
        var payload = JsonSerializer.SerializeToUtf8Bytes(context with { IssuedAt = time.GetUtcNow() }, Json);
        return $"{Base64UrlEncoder.Encode(payload)}.{Base64UrlEncoder.Encode(HMACSHA256.HashData(Key, payload))}";
    }

    /// <summary>The context if it is genuine and belongs to this caller and trace; otherwise why not.</summary>
    public (EnrichedContext? Context, string? Problem) Verify(string header, UserContext caller, string traceId)
    {
        var parts = header.Split('.');
        if (parts.Length != 2) return (null, "The user context header is malformed.");
        byte[] payload, mac;
        try
        {
            (payload, mac) = (Base64UrlEncoder.DecodeBytes(parts[0]), Base64UrlEncoder.DecodeBytes(parts[1]));
        }
        catch (FormatException)
        {
            return (null, "The user context header is malformed.");
        }

        if (!CryptographicOperations.FixedTimeEquals(HMACSHA256.HashData(Key, payload), mac)) return (null, "The user context signature is not valid.");
        var context = JsonSerializer.Deserialize<EnrichedContext>(payload, Json)!;
        if (context.UserId != caller.UserId || context.TenantId != caller.TenantId || context.SessionId != caller.SessionId)
        {
            return (null, "The user context names someone other than the token's user.");
        }

        if (context.TraceId != traceId) return (null, "The user context belongs to another trace.");
        return time.GetUtcNow() - context.IssuedAt > MaxAge ? (null, "The user context is too old.") : (context, null);
    }
}

/// <summary>Who the user is, with what the first service learned about them, and the services it passed through.</summary>
public sealed record EnrichedContext(
    Guid UserId, Guid TenantId, string SessionId, string Email, string Role, IReadOnlyList<string> Permissions,
    string TraceId, string EnrichedBy, IReadOnlyList<string> Via, DateTimeOffset IssuedAt = default);
