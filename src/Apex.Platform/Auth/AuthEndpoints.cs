using Apex.Platform.Auth.ApiKeys;
using Apex.Platform.Auth.Passwords;
using Apex.Platform.Auth.Permissions;
using Apex.Platform.Auth.Saml;
using Apex.Platform.Auth.Sessions;
using Apex.Platform.Auth.SignIn;
using Apex.Platform.Auth.TwoFactor;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Apex.Platform.Auth;

public static class AuthEndpoints
{
    public static IEndpointRouteBuilder MapAuth(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/auth");
        group.MapGet("/oauth/callback", OAuthCallbackAsync);
        group.MapPost("/logout", LogoutAsync).RequireAuthorization();
        app.MapSessions();
        app.MapPermissionAdmin();
        app.MapApiKeys();
        app.MapSaml();
        app.MapTwoFactor();
        app.MapPasswords();
        return app;
    }

    /// <summary>The identity provider redirects here with a code; the answer is a platform token (or a second-factor challenge).</summary>
    private static async Task<IResult> OAuthCallbackAsync(string? code, HttpContext http, OAuthProviderClient provider, SignInFlow flow, CancellationToken cancellationToken)
    {
        if (string.IsNullOrWhiteSpace(code))
        {
            return TypedResults.Problem("The callback has no authorization code.", statusCode: StatusCodes.Status400BadRequest);
        }

        try
        {
            var identity = await provider.ExchangeCodeAsync(code, cancellationToken);
            return (await flow.CompleteAsync("oauth", identity, http)).ToResult();
        }
        catch (OAuthExchangeException e)
        {
            return TypedResults.Problem(e.Message, statusCode: StatusCodes.Status401Unauthorized, title: "Sign-in failed");
        }
    }

    /// <summary>
    /// Ends the caller's session everywhere: every service consults the same revocation list, and
    /// every instance closes the session's open WebSockets.
    /// </summary>
    private static async Task<NoContent> LogoutAsync(HttpContext http, SessionManager sessions, UserDirectory users)
    {
        var user = http.User.ToUserContext();
        var known = await users.FindAsync(user.UserId, http.RequestAborted) ?? new PlatformUser(user.UserId, user.TenantId, string.Empty, string.Empty);
        await sessions.EndAsync(known, user.SessionId, "logout");
        return TypedResults.NoContent();
    }

    public sealed record TokenResponse(string AccessToken, DateTimeOffset ExpiresAt, Guid UserId, Guid TenantId, string? RefreshToken = null, string? SessionId = null);
}
