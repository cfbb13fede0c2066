using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Options;
using Microsoft.Net.Http.Headers;

namespace Apex.Coverage.Web.ApiTokens;

/// <summary>
/// Signs a request in as the API token in <c>Authorization: Bearer &lt;token&gt;</c>: a principal
/// named after the token, with one <c>scope</c> claim per scope. No header: no result (the cookie
/// may still sign the request in). Its challenge and forbid answers are problem details that say
/// what to send.
/// </summary>
internal sealed class ApiTokenAuthenticationHandler(
    IOptionsMonitor<AuthenticationSchemeOptions> options, ILoggerFactory logger, UrlEncoder encoder, ApiTokenStore store)
    : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    public const string SchemeName = "ApiToken";

    public static bool HasBearer(HttpRequest request) =>
        request.Headers.Authorization.ToString().StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase);

    protected override async Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        if (!HasBearer(Request))
        {
            return AuthenticateResult.NoResult();
        }

        var token = Request.Headers.Authorization.ToString()["Bearer ".Length..].Trim();
        var found = token.Length == 0 ? null : await store.FindAsync(token, Context.RequestAborted);
        return found is null
            ? AuthenticateResult.Fail("The bearer token is unknown, expired or revoked.")
            : AuthenticateResult.Success(new AuthenticationTicket(ApiTokenClaims.Principal(found), SchemeName));
    }

    protected override async Task HandleChallengeAsync(AuthenticationProperties properties)
    {
        var result = await HandleAuthenticateOnceSafeAsync();
        await (result.Failure is null ? ApiAnswers.TokenRequired(Context) : ApiAnswers.TokenNotAccepted(Context));
    }

    protected override Task HandleForbiddenAsync(AuthenticationProperties properties) => ApiAnswers.Forbidden(Context);
}

/// <summary>The API's 401 and 403 answers, as problem details a person can act on.</summary>
internal static class ApiAnswers
{
    public static Task TokenRequired(HttpContext http) => Unauthorized(http, "API token required",
        "Send an API token as 'Authorization: Bearer <token>' (reads also accept a signed-in browser session). "
        + "An admin makes one in the dashboard's Settings page or with 'dotnet Apex.Coverage.Web.dll tokens create --name ci'.");

    public static Task TokenNotAccepted(HttpContext http) => Unauthorized(http, "API token not accepted",
        "The bearer token is unknown, expired or has been revoked. Check the CI secret, or ask an admin for a new token.");

    public static Task Forbidden(HttpContext http)
    {
        var needed = http.GetEndpoint()?.Metadata.GetMetadata<ApiTokenRequiredMetadata>()?.Scope;
        var detail = needed is null
            ? "Your role does not allow this. Ask an admin for a role that does."
            : $"This call needs an API token with scope '{needed}'"
              + (ApiTokenClaims.IsToken(http.User) ? "; this token lacks it (or is limited to another suite)." : "; a browser session cannot write through the API.");
        return Problem(http, StatusCodes.Status403Forbidden, "Not allowed", detail);
    }

    private static Task Unauthorized(HttpContext http, string title, string detail)
    {
        http.Response.Headers[HeaderNames.WWWAuthenticate] = "Bearer";
        return Problem(http, StatusCodes.Status401Unauthorized, title, detail);
    }

    private static Task Problem(HttpContext http, int status, string title, string detail) =>
        TypedResults.Problem(title: title, detail: detail, statusCode: status).ExecuteAsync(http);
}

public static class ApiTokenEndpointExtensions
{
    /// <summary>Every endpoint of the builder needs a live API token with <paramref name="scope"/> (401/403 problem details otherwise).</summary>
    public static TBuilder RequireApiToken<TBuilder>(this TBuilder builder, string scope) where TBuilder : IEndpointConventionBuilder =>
        builder.RequireAuthorization(scope).WithMetadata(new ApiTokenRequiredMetadata(scope));

    /// <summary>Every endpoint of the builder needs a live API token, whatever its scopes (kept for endpoints made before scopes).</summary>
    public static TBuilder RequireApiToken<TBuilder>(this TBuilder builder) where TBuilder : IEndpointConventionBuilder =>
        builder.RequireAuthorization(Access.AccessPolicies.AnyToken).WithMetadata(new ApiTokenRequiredMetadata("any"));

    /// <summary>The name of the API token the request signed in with, or null (a browser session, or nobody).</summary>
    public static string? ApiTokenName(this HttpContext context) =>
        ApiTokenClaims.IsToken(context.User) ? context.User.Identity?.Name : null;

    /// <summary>False when the request's token is limited to another suite than <paramref name="suite"/>.</summary>
    public static bool ApiTokenAllowsSuite(this HttpContext context, string suite) =>
        context.User.FindFirst(ApiTokenClaims.Suite)?.Value is not { } only || string.Equals(only, suite, StringComparison.OrdinalIgnoreCase);
}

/// <summary>Serves as a marker for the OpenAPI document and the 403 answer: this endpoint needs a bearer token with <see cref="Scope"/>.</summary>
public sealed record ApiTokenRequiredMetadata(string Scope);
