using Apex.Platform.Auth;
using Apex.Platform.Auth.Permissions;
using Apex.Platform.Data;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Apex.Platform.Backend;

public static class BackendEndpoints
{
    public static IServiceCollection AddBackend(this IServiceCollection services)
    {
        services.AddSingleton<DocumentStore>();
        services.AddSchema(20, "documents", DocumentStore.Schema);
        return services;
    }

    public static IEndpointRouteBuilder MapBackend(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api").RequireAuthorization();
        api.MapGet("/me", MeAsync);
        // Decided per request from the caller's current effective permissions: a role change takes
        // effect on the very next request, on every instance.
        api.MapPost("/documents", CreateDocumentAsync).RequirePermission("documents:write");
        api.MapGet("/documents", (HttpContext http, DocumentStore store, CancellationToken ct) => store.ListAsync(http.User.ToUserContext(), ct))
            .RequirePermission("documents:read");
        api.MapGet("/documents/{id:guid}", FindDocumentAsync).RequirePermission("documents:read");
        return app;
    }

    /// <summary>The caller as the backend knows them: the token's context joined with the stored user.</summary>
    private static async Task<Results<Ok<MeResponse>, ProblemHttpResult>> MeAsync(HttpContext http, UserDirectory users, CancellationToken ct)
    {
        var context = http.User.ToUserContext();
        var user = await users.FindAsync(context.UserId, ct);
        return user is null
            ? TypedResults.Problem("The token names a user this platform does not know.", statusCode: StatusCodes.Status403Forbidden)
            : TypedResults.Ok(new MeResponse(user.Id, user.TenantId, user.Email, user.Name, context.SessionId));
    }

    private static async Task<Results<Created<Document>, ValidationProblem>> CreateDocumentAsync(
        NewDocument request, HttpContext http, DocumentStore store, CancellationToken ct)
    {
        if (string.IsNullOrWhiteSpace(request.Title))
        {
            return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["title"] = ["A document needs a title."] });
        }

        var document = await store.CreateAsync(http.User.ToUserContext(), request.Title, request.Body ?? string.Empty, ct);
        return TypedResults.Created($"/api/documents/{document.Id}", document);
    }

    private static async Task<Results<Ok<Document>, NotFound>> FindDocumentAsync(Guid id, HttpContext http, DocumentStore store, CancellationToken ct) =>
        await store.FindAsync(http.User.ToUserContext(), id, ct) is { } document ? TypedResults.Ok(document) : TypedResults.NotFound();

    public sealed record NewDocument(string Title, string? Body);

    public sealed record MeResponse(Guid UserId, Guid TenantId, string Email, string Name, string SessionId);
}
