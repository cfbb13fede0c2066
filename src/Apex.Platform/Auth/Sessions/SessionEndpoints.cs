using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Apex.Platform.Auth.Sessions;

/// <summary>
/// A user's sessions, one per signed-in device: list them, read and update the current one's data
/// (any instance sees the update at once), revoke a device, refresh tokens.
/// </summary>
public static partial class SessionEndpoints
{
    private const int MaxAttributes = 32;

    public static IEndpointRouteBuilder MapSessions(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/auth/sessions").RequireAuthorization();
        group.MapGet("/", ListAsync);
        group.MapGet("/current", CurrentAsync);
        group.MapPatch("/current", UpdateAsync);
        group.MapDelete("/{sessionId}", RevokeAsync);
        app.MapPost("/auth/token/refresh", RefreshAsync);
        return app;
    }

    private static async Task<Ok<List<DeviceSession>>> ListAsync(HttpContext http, SessionStore store)
    {
        var user = http.User.ToUserContext();
        var sessions = await store.ListAsync(user.UserId);
        return TypedResults.Ok(sessions.Select(s => new DeviceSession(s.SessionId, s.Device, s.CreatedAt, s.LastSeenAt, s.SessionId == user.SessionId)).ToList());
    }

    private static async Task<Results<Ok<CurrentSession>, ProblemHttpResult>> CurrentAsync(HttpContext http, SessionStore store) =>
        await store.GetAsync(http.User.ToUserContext().SessionId) is { } s
            ? TypedResults.Ok(new CurrentSession(s.SessionId, s.Device, s.CreatedAt, s.LastSeenAt, s.ExpiresAt, s.RefreshCount, s.Attributes))
            : SessionGone();

    private static async Task<IResult> UpdateAsync(Dictionary<string, string> attributes, HttpContext http, SessionStore store)
    {
        var invalid = attributes.Keys.Where(k => !AttributeName().IsMatch(k)).ToList();
        if (attributes.Count is 0 or > MaxAttributes || invalid.Count > 0)
        {
            return TypedResults.ValidationProblem(new Dictionary<string, string[]>
            {
                ["attributes"] = [$"Send 1 to {MaxAttributes} attributes named with letters, digits, '.', '-' or '_' (at most 64 characters)." +
                    (invalid.Count > 0 ? $" Not accepted: {string.Join(", ", invalid)}." : string.Empty)],
            });
        }

        return await store.UpdateAttributesAsync(http.User.ToUserContext().SessionId, attributes) ? TypedResults.NoContent() : SessionGone();
    }

    private static async Task<Results<NoContent, ProblemHttpResult>> RevokeAsync(string sessionId, HttpContext http, SessionStore store, SessionManager sessions)
    {
        var user = http.User.ToUserContext();
        if (await store.GetAsync(sessionId) is not { } session || session.User.Id != user.UserId)
        {
            return TypedResults.Problem("You have no session with this id.", statusCode: StatusCodes.Status404NotFound);
        }

        await sessions.EndAsync(session.User, sessionId, "revoked");
        return TypedResults.NoContent();
    }

    private static async Task<Results<Ok<AuthEndpoints.TokenResponse>, ProblemHttpResult>> RefreshAsync(RefreshRequest body, SessionManager sessions)
    {
        if (string.IsNullOrWhiteSpace(body.RefreshToken)) return TypedResults.Problem("A refresh token is required.", statusCode: StatusCodes.Status400BadRequest);
        var outcome = await sessions.RefreshAsync(body.RefreshToken);
        return outcome.Session is { } session
            ? TypedResults.Ok(session.ToResponse())
            : TypedResults.Problem(outcome.Problem, statusCode: StatusCodes.Status401Unauthorized, title: "Refresh refused");
    }

    private static ProblemHttpResult SessionGone() =>
        TypedResults.Problem("This session has ended.", statusCode: StatusCodes.Status401Unauthorized);

    [GeneratedRegex("^[A-Za-z0-9._-]{1,64}$")]
    private static partial Regex AttributeName();

    public sealed record DeviceSession(string SessionId, string Device, DateTimeOffset CreatedAt, DateTimeOffset LastSeenAt, bool Current);

    public sealed record CurrentSession(string SessionId, string Device, DateTimeOffset CreatedAt, DateTimeOffset LastSeenAt, DateTimeOffset ExpiresAt,
        long RefreshCount, IReadOnlyDictionary<string, string> Attributes);

    public sealed record RefreshRequest(string RefreshToken);
}
