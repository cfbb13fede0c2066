using Apex.Platform.Auth;
using Apex.Platform.Realtime.Hub;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.JsonWebTokens;

namespace Apex.Platform.Realtime.Handshake;

/// <summary>
/// A connection lives no longer than the token it was opened with: at the token's expiry (on the
/// platform clock) it is closed with 4401. An "auth.refresh" frame carrying a fresh token of the
/// same user and session - validated exactly as at the handshake, revocation list included -
/// moves the deadline to the new token's expiry and keeps the connection.
/// </summary>
public sealed class TokenLifetimeFeature(TimeProvider time, IOptionsMonitor<JwtBearerOptions> jwt, TokenRevocationList revocations) : IHubConnectionFeature, IHubHandler
{
    private const string Key = "token-expiry";
    private readonly JsonWebTokenHandler _tokens = new();

    public IReadOnlyCollection<string> Types { get; } = ["auth.refresh"];

    public Task OnOpenedAsync(HubConnection connection, HubHandshake handshake)
    {
        if (handshake.TokenExpiresAt is { } expires)
        {
            connection.Items[Key] = time.CreateTimer(_ => Expire(connection), null, Until(expires), Timeout.InfiniteTimeSpan);
        }

        return Task.CompletedTask;
    }

    public async Task OnClosedAsync(HubConnection connection)
    {
        if (connection.Items.GetValueOrDefault(Key) is ITimer timer) await timer.DisposeAsync();
    }

    public async Task HandleAsync(HubMessage message)
    {
        var token = message.Frame.DataAs<RefreshRequest>()?.Token;
        if (string.IsNullOrWhiteSpace(token)) throw new HubException("refresh-refused", "Send the new access token as data.token.");
        var parameters = jwt.Get(JwtBearerDefaults.AuthenticationScheme).TokenValidationParameters;
        var result = await _tokens.ValidateTokenAsync(token, parameters);
        if (!result.IsValid) throw new HubException("refresh-refused", "The token is not valid: " + result.Exception?.GetType().Name + ".");
        var user = new System.Security.Claims.ClaimsPrincipal(result.ClaimsIdentity).ToUserContext();
        if (user.UserId != message.Connection.User.UserId || user.SessionId != message.Connection.User.SessionId)
        {
            throw new HubException("refresh-refused", "The token belongs to another user or session.");
        }

        if (await revocations.IsRevokedAsync(user.SessionId, user.TokenId)) throw new HubException("refresh-refused", "The token has been revoked.");
        var expires = ((JsonWebToken)result.SecurityToken).ValidTo;
        if (message.Connection.Items.GetValueOrDefault(Key) is ITimer timer) timer.Change(Until(expires), Timeout.InfiniteTimeSpan);
        message.Reply(HubFrame.Of("auth.refreshed", new { expiresAt = new DateTimeOffset(expires, TimeSpan.Zero) }, message.Frame.Id));
    }

    private TimeSpan Until(DateTimeOffset expires)
    {
        var left = expires - time.GetUtcNow();
        return left > TimeSpan.Zero ? left : TimeSpan.FromTicks(1);
    }

    private static void Expire(HubConnection connection) =>
        connection.Close(HubCloseCodes.TokenExpired, "The access token expired; reconnect with a new one.", "token-expired");

    private sealed record RefreshRequest(string? Token);
}
