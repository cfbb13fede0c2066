using System.Net.Http.Headers;
using System.Net.Http.Json;
using Apex.Integration.Fakes;
using Apex.Integration.Infrastructure;
using Apex.Platform.Auth;

namespace Apex.Integration.Authentication;

/// <summary>What the tests of this category do over and over against a real platform: sign in, call with a token, read JSON.</summary>
internal static class AuthApi
{
    public static CancellationToken Cancel => TestContext.Current.CancellationToken;

    public static Dictionary<string, string?> OAuthSettings(FakeOAuthProvider provider) => new()
    {
        ["Platform:OAuth:BaseUrl"] = provider.BaseAddress.ToString(),
        ["Platform:OAuth:ClientId"] = FakeOAuthProvider.ClientId,
        ["Platform:OAuth:ClientSecret"] = FakeOAuthProvider.ClientSecret,
        ["Platform:OAuth:RedirectUri"] = "https://app.apex.test/auth/callback",
    };

    /// <summary>For tests whose users never sign in by OAuth: the auth service still requires a provider to be configured.</summary>
    public static Dictionary<string, string?> UnusedOAuthSettings => new()
    {
        ["Platform:OAuth:BaseUrl"] = "http://127.0.0.1:9/",
        ["Platform:OAuth:ClientId"] = "unused",
        ["Platform:OAuth:ClientSecret"] = "unused",
        ["Platform:OAuth:RedirectUri"] = "https://app.apex.test/auth/callback",
    };

    /// <summary>The OAuth sign-in a browser would do, from the named device; fails the test unless it yields tokens.</summary>
    public static async Task<AuthEndpoints.TokenResponse> SignInAsync(PlatformInstance auth, FakeOAuthProvider provider, string email, string? device = null)
    {
        var response = await OAuthCallbackAsync(auth, provider, email, device);
        response.EnsureSuccessStatusCode();
        return (await response.Content.ReadFromJsonAsync<AuthEndpoints.TokenResponse>(Cancel))!;
    }

    public static async Task<HttpResponseMessage> OAuthCallbackAsync(PlatformInstance auth, FakeOAuthProvider provider, string email, string? device = null)
    {
        var code = provider.IssueCode($"oauth|{email}", email, email.Split('@')[0]);
        using var request = new HttpRequestMessage(HttpMethod.Get, $"auth/oauth/callback?code={code}");
        if (device is not null) request.Headers.Add("X-Device-Name", device);
        return await auth.Client.SendAsync(request, Cancel);
    }

    public static async Task<HttpResponseMessage> SendAsync(PlatformInstance service, HttpMethod method, string path, string? token, object? body = null)
    {
        using var request = new HttpRequestMessage(method, path);
        if (token is not null) request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        if (body is not null) request.Content = JsonContent.Create(body);
        return await service.Client.SendAsync(request, Cancel);
    }

    public static Task<HttpResponseMessage> GetAsync(PlatformInstance service, string path, string? token) => SendAsync(service, HttpMethod.Get, path, token);

    public static async Task<T> ReadAsync<T>(this HttpResponseMessage response) => (await response.Content.ReadFromJsonAsync<T>(Cancel))!;

    /// <summary>The problem's detail text, for asserting that a refusal says why.</summary>
    public static async Task<string> DetailAsync(this HttpResponseMessage response) =>
        (await response.Content.ReadFromJsonAsync<System.Text.Json.JsonElement>(Cancel)).GetProperty("detail").GetString() ?? string.Empty;
}
