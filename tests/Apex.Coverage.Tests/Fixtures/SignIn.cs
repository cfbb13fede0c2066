using System.Net;
using System.Text.RegularExpressions;
using Apex.Coverage.Web.Access;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace Apex.Coverage.Tests.Fixtures;

/// <summary>
/// Signing in the way a person does, for any test host (every factory is a
/// <c>WebApplicationFactory&lt;Program&gt;</c>): the user is made through the app's own
/// <see cref="UserAccounts"/> (Identity's UserManager), then the sign-in form is fetched and posted
/// with its antiforgery token, and the client keeps Identity's cookie. No test authentication handler.
/// </summary>
public static partial class SignIn
{
    /// <summary>Meets Identity's rules as the dashboard sets them (12+ characters, upper, lower, digit, symbol).</summary>
    public const string Password = "Correct-Horse-7-Battery";

    /// <summary>A client signed in as a new user of <paramref name="role"/> (viewer, runner or admin).</summary>
    public static async Task<HttpClient> CreateSignedInClientAsync(this WebApplicationFactory<Program> factory, string role,
        string? email = null, WebApplicationFactoryClientOptions? options = null)
    {
        email ??= $"{role}-{Guid.NewGuid():N}@apex.test";
        await factory.CreateUserAsync(email, role);
        var client = factory.CreateClient(options ?? new WebApplicationFactoryClientOptions());
        using var answer = await client.PostSignInAsync(email, Password);
        var landed = answer.StatusCode is HttpStatusCode.Redirect or HttpStatusCode.Found
            ? answer.Headers.Location?.OriginalString
            : answer.RequestMessage?.RequestUri?.PathAndQuery;
        if (landed is null || landed.Contains("/account/login", StringComparison.Ordinal))
        {
            throw new InvalidOperationException($"Signing in {email} failed: {(int)answer.StatusCode}, landed on {landed}.");
        }

        return client;
    }

    /// <summary>Makes a local account through the app's own account service (UserManager: hashing, rules, role).</summary>
    public static async Task CreateUserAsync(this WebApplicationFactory<Program> factory, string email, string role, string password = Password)
    {
        await using var scope = factory.Services.CreateAsyncScope();
        await scope.ServiceProvider.GetRequiredService<UserAccounts>().CreateAsync(email, password, role);
    }

    /// <summary>GETs the sign-in page for its antiforgery token and POSTs the form, as a browser does.</summary>
    public static async Task<HttpResponseMessage> PostSignInAsync(this HttpClient client, string email, string password, string returnUrl = "/")
    {
        var token = await AntiforgeryTokenAsync(client, "account/login");
        var form = new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["email"] = email,
            ["password"] = password,
            ["returnUrl"] = returnUrl,
            ["__RequestVerificationToken"] = token,
        });
        return await client.PostAsync("account/login", form);
    }

    /// <summary>The antiforgery field of the form on <paramref name="path"/> (the client keeps its cookie).</summary>
    public static async Task<string> AntiforgeryTokenAsync(HttpClient client, string path)
    {
        var html = await client.GetStringAsync(path);
        return TokenField().Match(html) is { Success: true } match
            ? WebUtility.HtmlDecode(match.Groups[1].Value)
            : throw new InvalidOperationException($"No antiforgery field on {path}.");
    }

    [GeneratedRegex("name=\"__RequestVerificationToken\"[^>]*value=\"([^\"]+)\"")]
    private static partial Regex TokenField();
}
