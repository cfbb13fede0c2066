using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;

namespace Apex.Platform.Auth;

public static class AuthEndpoints
{
    public static IEndpointRouteBuilder MapAuth(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/auth");
        group.MapGet("/oauth/callback", OAuthCallbackAsync);
        group.MapPost("/logout", LogoutAsync).RequireAuthorization();
        return app;
    }

    /// <summary>The identity provider redirects here with a code; the answer is a platform token.</summary>
    private static async Task<Results<Ok<TokenResponse>, ProblemHttpResult>> OAuthCallbackAsync(
        string? code, OAuthProviderClient provider, UserDirectory users, AccessTokenIssuer issuer, CancellationToken cancellationToken)
    {
        if (string.IsNullOrWhiteSpace(code))
        {
            return TypedResults.Problem("The callback has no authorization code.", statusCode: StatusCodes.Status400BadRequest);
        }

        try
        {
            var identity = await provider.ExchangeCodeAsync(code, cancellationToken);
            var user = await users.UpsertFromProviderAsync("oauth", identity, cancellationToken);
            var token = issuer.Issue(user, sessionId: Guid.NewGuid().ToString("N"));
            return TypedResults.Ok(new TokenResponse(token.AccessToken, token.ExpiresAt, user.Id, user.TenantId));
        }
        catch (OAuthExchangeException e)
        {
            return TypedResults.Problem(e.Message, statusCode: StatusCodes.Status401Unauthorized, title: "Sign-in failed");
        }
    }

    /// <summary>Ends the caller's session everywhere: every service consults the same revocation list.</summary>
    private static async Task<NoContent> LogoutAsync(HttpContext http, TokenRevocationList revocations, IOptions<AuthOptions> options)
    {
        var user = http.User.ToUserContext();
        await revocations.RevokeSessionAsync(user.SessionId, options.Value.AccessTokenLifetime);
        return TypedResults.NoContent();
    }

    public sealed record TokenResponse(string AccessToken, DateTimeOffset ExpiresAt, Guid UserId, Guid TenantId);
}
