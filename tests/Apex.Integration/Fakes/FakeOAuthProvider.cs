using System.Collections.Concurrent;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace Apex.Integration.Fakes;

/// <summary>
/// An OAuth 2.0 identity provider at the boundary: it hands out single-use authorization codes for
/// users the test names, exchanges them at /oauth/token for the registered client only, and
/// answers /oauth/userinfo for the access tokens it issued.
/// </summary>
public sealed class FakeOAuthProvider : FakeHttpServer
{
    public const string ClientId = "apex-platform";
    public const string ClientSecret = "fake-client-secret";

    private readonly ConcurrentDictionary<string, ProviderUser> _codes = new();
    private readonly ConcurrentDictionary<string, ProviderUser> _accessTokens = new();

    public static async Task<FakeOAuthProvider> StartNewAsync()
    {
        var provider = new FakeOAuthProvider();
        await provider.StartAsync();
        return provider;
    }

    /// <summary>What the provider's login page would do: a code for this user, to be redeemed once.</summary>
    public string IssueCode(string subject, string email, string name)
    {
        var code = Guid.NewGuid().ToString("N");
        _codes[code] = new ProviderUser(subject, email, name);
        return code;
    }

    protected override void Map(WebApplication app)
    {
        app.MapPost("/oauth/token", async (HttpRequest request) =>
        {
            var form = await request.ReadFormAsync();
            if (form["client_id"] != ClientId || form["client_secret"] != ClientSecret)
            {
                return Results.Json(new { error = "invalid_client" }, statusCode: 401);
            }

            if (form["grant_type"] != "authorization_code" || !_codes.TryRemove(form["code"].ToString(), out var user))
            {
                return Results.Json(new { error = "invalid_grant" }, statusCode: 400);
            }

            var accessToken = Guid.NewGuid().ToString("N");
            _accessTokens[accessToken] = user;
            return Results.Json(new { access_token = accessToken, token_type = "Bearer", expires_in = 3600 });
        });
        app.MapGet("/oauth/userinfo", (HttpRequest request) =>
        {
            var token = request.Headers.Authorization.ToString().Replace("Bearer ", string.Empty, StringComparison.Ordinal);
            return _accessTokens.TryGetValue(token, out var user)
                ? Results.Json(new { sub = user.Subject, email = user.Email, name = user.Name })
                : Results.Json(new { error = "invalid_token" }, statusCode: 401);
        });
    }

    private sealed record ProviderUser(string Subject, string Email, string Name);
}
