using Microsoft.AspNetCore.Http.HttpResults;

namespace Apex.Platform.Auth.ApiKeys;

/// <summary>
/// A signed-in user manages their service accounts' keys. Keys cannot manage keys: a leaked key
/// must not be able to mint itself successors.
/// </summary>
public static class ApiKeyEndpoints
{
    public static IEndpointRouteBuilder MapApiKeys(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/auth/api-keys").RequireAuthorization();
        group.MapPost("/", CreateAsync);
        group.MapGet("/", async (HttpContext http, ApiKeyStore keys) => TypedResults.Ok(await keys.ListAsync(http.User.ToUserContext().UserId, http.RequestAborted)));
        group.MapDelete("/{id:guid}", async Task<Results<NoContent, ProblemHttpResult>> (Guid id, HttpContext http, ApiKeyStore keys) =>
            IsKey(http) ? KeysCannotManageKeys()
            : await keys.RevokeAsync(http.User.ToUserContext().UserId, id, http.RequestAborted) ? TypedResults.NoContent()
            : TypedResults.Problem("You have no active API key with this id.", statusCode: StatusCodes.Status404NotFound));
        group.MapGet("/{id:guid}/audit", async Task<Results<Ok<List<ApiKeyAuditEntry>>, ProblemHttpResult>> (Guid id, HttpContext http, ApiKeyStore keys) =>
            await keys.AuditTrailAsync(http.User.ToUserContext().UserId, id, http.RequestAborted) is { } trail
                ? TypedResults.Ok(trail)
                : TypedResults.Problem("You have no API key with this id.", statusCode: StatusCodes.Status404NotFound));
        return app;
    }

    private static async Task<IResult> CreateAsync(NewApiKey body, HttpContext http, ApiKeyStore keys)
    {
        if (IsKey(http)) return KeysCannotManageKeys();
        var errors = new Dictionary<string, string[]>();
        if (string.IsNullOrWhiteSpace(body.Name)) errors["name"] = ["A key needs a name."];
        if (body.RatePerMinute is < 1 or > 10_000) errors["ratePerMinute"] = ["The rate must be between 1 and 10000 requests per minute."];
        if (errors.Count > 0) return TypedResults.ValidationProblem(errors);

        var (info, key) = await keys.CreateAsync(http.User.ToUserContext(), body.Name.Trim(), body.RatePerMinute ?? 60, http.RequestAborted);
        return TypedResults.Created($"/auth/api-keys/{info.Id}", new CreatedApiKey(info, key));
    }

    private static bool IsKey(HttpContext http) => http.User.HasClaim(c => c.Type == ApiKeyAuthenticationHandler.KeyIdClaim);

    private static ProblemHttpResult KeysCannotManageKeys() =>
        TypedResults.Problem("API keys cannot manage API keys; sign in as the user.", statusCode: StatusCodes.Status403Forbidden);

    public sealed record NewApiKey(string Name, int? RatePerMinute);

    /// <summary>The only time the key itself is shown.</summary>
    public sealed record CreatedApiKey(ApiKeyInfo Info, string Key);
}
