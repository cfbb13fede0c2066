using System.Security.Cryptography;
using Apex.Platform.Auth.Events;
using Microsoft.Extensions.Options;

namespace Apex.Platform.Auth.Sessions;

/// <summary>
/// The life of a login session: started at sign-in (evicting the user's oldest sessions past the
/// limit), refreshed with single-use rotating refresh tokens, ended by logout, device revocation,
/// eviction or a password reset. Ending a session revokes its access tokens in every service and
/// tells every instance, so open WebSockets of that session close.
/// </summary>
public sealed class SessionManager(
    SessionStore store, TokenRevocationList revocations, AuthEventBus events, AccessTokenIssuer issuer, IOptions<AuthOptions> auth)
{
    public async Task<SignedInSession> StartAsync(PlatformUser user, string device)
    {
        var sessionId = Guid.NewGuid().ToString("N");
        var refreshToken = NewRefreshToken(sessionId);
        var evicted = await store.CreateAsync(user, sessionId, device, SessionStore.Hash(refreshToken));
        foreach (var old in evicted) await EndAsync(user, old, "evicted");
        return new SignedInSession(user, issuer.Issue(user, sessionId), refreshToken);
    }

    public async Task EndAsync(PlatformUser user, string sessionId, string reason)
    {
        await store.RemoveAsync(sessionId, user.Id);
        await revocations.RevokeSessionAsync(sessionId, auth.Value.AccessTokenLifetime);
        await events.PublishAsync(new AuthEvent(AuthEvent.SessionEnded, user.TenantId, user.Id, sessionId, reason));
    }

    public async Task EndAllAsync(PlatformUser user, string reason)
    {
        foreach (var session in await store.ListAsync(user.Id)) await EndAsync(user, session.SessionId, reason);
    }

    /// <summary>
    /// A new access token and a new refresh token for a current refresh token. A refresh token
    /// presented a second time means it was copied: the whole session ends (RFC 6819 5.2.2.3).
    /// </summary>
    public async Task<RefreshOutcome> RefreshAsync(string refreshToken)
    {
        var sessionId = refreshToken.Split('.')[0];
        var session = await store.GetAsync(sessionId);
        if (session is null) return RefreshOutcome.Refused("The session has ended; sign in again.");

        var next = NewRefreshToken(sessionId);
        var count = await store.RotateRefreshAsync(sessionId, SessionStore.Hash(refreshToken), SessionStore.Hash(next));
        if (count > 0) return RefreshOutcome.Refreshed(new SignedInSession(session.User, issuer.Issue(session.User, sessionId), next));
        if (count == 0) await EndAsync(session.User, sessionId, "refresh-token-reused");
        return RefreshOutcome.Refused(count == 0
            ? "This refresh token was already used; the session has been ended to protect the account."
            : "The session has ended; sign in again.");
    }

    private static string NewRefreshToken(string sessionId) =>
        $"{sessionId}.{Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)).TrimEnd('=').Replace('+', '-').Replace('/', '_')}";
}

public sealed record SignedInSession(PlatformUser User, IssuedToken Access, string RefreshToken)
{
    public AuthEndpoints.TokenResponse ToResponse() =>
        new(Access.AccessToken, Access.ExpiresAt, User.Id, User.TenantId, RefreshToken, Access.SessionId);
}

public sealed record RefreshOutcome(SignedInSession? Session, string? Problem)
{
    public static RefreshOutcome Refreshed(SignedInSession session) => new(session, null);

    public static RefreshOutcome Refused(string problem) => new(null, problem);
}
