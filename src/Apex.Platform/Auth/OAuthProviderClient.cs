using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json.Serialization;
using Microsoft.Extensions.Options;

namespace Apex.Platform.Auth;

/// <summary>The authorization-code exchange with the external identity provider, over HTTP.</summary>
public sealed class OAuthProviderClient(HttpClient http, IOptions<OAuthProviderOptions> options)
{
    public async Task<ExternalIdentity> ExchangeCodeAsync(string code, CancellationToken cancellationToken)
    {
        var settings = options.Value;
        using var tokenResponse = await http.PostAsync(new Uri(settings.BaseUrl!, "oauth/token"), new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["grant_type"] = "authorization_code",
            ["code"] = code,
            ["redirect_uri"] = settings.RedirectUri!.ToString(),
            ["client_id"] = settings.ClientId,
            ["client_secret"] = settings.ClientSecret,
        }), cancellationToken);
        if (!tokenResponse.IsSuccessStatusCode)
        {
            throw new OAuthExchangeException($"The identity provider refused the authorization code ({(int)tokenResponse.StatusCode}).");
        }

        var token = await tokenResponse.Content.ReadFromJsonAsync<ProviderToken>(cancellationToken)
            ?? throw new OAuthExchangeException("The identity provider answered the code exchange with an empty body.");
        return await ReadUserInfoAsync(settings, token.AccessToken, cancellationToken);
    }

    private async Task<ExternalIdentity> ReadUserInfoAsync(OAuthProviderOptions settings, string accessToken, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(settings.BaseUrl!, "oauth/userinfo"));
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", accessToken);
        using var response = await http.SendAsync(request, cancellationToken);
        if (!response.IsSuccessStatusCode)
        {
            throw new OAuthExchangeException($"The identity provider refused its own access token at userinfo ({(int)response.StatusCode}).");
        }

        var info = await response.Content.ReadFromJsonAsync<ProviderUserInfo>(cancellationToken);
        return info is { Sub.Length: > 0, Email.Length: > 0 }
            ? new ExternalIdentity(info.Sub, info.Email, info.Name ?? info.Email)
            : throw new OAuthExchangeException("The identity provider's userinfo has no subject or email.");
    }

    private sealed record ProviderToken([property: JsonPropertyName("access_token")] string AccessToken);

    private sealed record ProviderUserInfo(string Sub, string Email, string? Name);
}

public sealed class OAuthExchangeException(string message) : Exception(message);
