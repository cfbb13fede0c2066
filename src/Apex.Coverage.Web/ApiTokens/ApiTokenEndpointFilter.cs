using Microsoft.Net.Http.Headers;

namespace Apex.Coverage.Web.ApiTokens;

/// <summary>
/// Lets a request through only with `Authorization: Bearer &lt;token&gt;` of a live API token, and
/// records the token's name for the handler (<see cref="ApiTokenEndpointExtensions.ApiTokenName"/>).
/// </summary>
internal sealed class ApiTokenEndpointFilter(ApiTokenStore store) : IEndpointFilter
{
    public async ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        var http = context.HttpContext;
        var header = http.Request.Headers.Authorization.ToString();
        if (!header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase) || header.Length <= "Bearer ".Length)
        {
            return Unauthorized(http, "API token required",
                "Send an API token as 'Authorization: Bearer <token>'. Make one in the dashboard's Settings page "
                + "or with 'dotnet Apex.Coverage.Web.dll tokens create --name ci'.");
        }

        var name = await store.FindNameAsync(header["Bearer ".Length..].Trim(), http.RequestAborted);
        if (name is null)
        {
            return Unauthorized(http, "API token not accepted",
                "The bearer token is unknown or has been revoked. Check the CI secret, or make a new token in the Settings page.");
        }

        http.Items[ApiTokenEndpointExtensions.TokenNameKey] = name;
        return await next(context);
    }

    private static IResult Unauthorized(HttpContext http, string title, string detail)
    {
        http.Response.Headers[HeaderNames.WWWAuthenticate] = "Bearer";
        return TypedResults.Problem(title: title, detail: detail, statusCode: StatusCodes.Status401Unauthorized);
    }
}

public static class ApiTokenEndpointExtensions
{
    internal const string TokenNameKey = "Apex.ApiTokenName";

    /// <summary>Every endpoint of the builder needs a live API token (401 problem details otherwise).</summary>
    public static TBuilder RequireApiToken<TBuilder>(this TBuilder builder) where TBuilder : IEndpointConventionBuilder =>
        builder.AddEndpointFilter<TBuilder, ApiTokenEndpointFilter>()
            .WithMetadata(new ApiTokenRequiredMetadata());

    /// <summary>The name of the token the request was let in with (null outside <see cref="RequireApiToken{TBuilder}"/>).</summary>
    public static string? ApiTokenName(this HttpContext context) =>
        context.Items.TryGetValue(TokenNameKey, out var name) ? name as string : null;
}

/// <summary>Serves as a marker for the OpenAPI document: this endpoint needs a bearer token.</summary>
public sealed class ApiTokenRequiredMetadata;
