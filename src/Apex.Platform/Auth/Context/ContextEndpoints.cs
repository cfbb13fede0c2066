using System.Net.Http.Headers;
using System.Net.Http.Json;
using Apex.Platform.Auth.Permissions;
using Microsoft.Extensions.Options;

namespace Apex.Platform.Auth.Context;

/// <summary>Where the other platform services listen, by name: Platform:Peers:Services:backend = http://...</summary>
public sealed class PeerOptions
{
    public const string SectionName = "Platform:Peers";

    public Dictionary<string, Uri> Services { get; set; } = new(StringComparer.OrdinalIgnoreCase);
}

/// <summary>
/// The user context as each service sees it. The first service enriches it (directory record,
/// role, permissions); a call to a peer carries it signed, with the caller's token and the W3C
/// trace headers, and the peer verifies it instead of looking the user up again.
/// </summary>
public static class ContextEndpoints
{
    public static IEndpointRouteBuilder MapUserContext(this IEndpointRouteBuilder app)
    {
        app.MapGet("/context", HereAsync).RequireAuthorization();
        app.MapGet("/context/via/{peer}", ViaAsync).RequireAuthorization();
        return app;
    }

    private static async Task<IResult> HereAsync(HttpContext http, UserContextSigner signer, UserDirectory users)
    {
        var trace = http.Features.Get<RequestTrace>()!;
        var user = http.User.ToUserContext();
        var service = ServiceName(http);
        var header = http.Request.Headers[UserContextSigner.Header].ToString();
        if (header.Length == 0) return await EnrichedViewAsync(http, users, trace, user, service);

        var (context, problem) = signer.Verify(header, user, trace.TraceId.ToHexString());
        return context is null
            ? TypedResults.Problem(problem, statusCode: StatusCodes.Status403Forbidden, title: "Forged user context")
            : TypedResults.Ok(View(context with { Via = [.. context.Via, service] }, trace, service));
    }

    private static async Task<IResult> ViaAsync(string peer, HttpContext http, UserContextSigner signer, UserDirectory users,
        IOptions<PeerOptions> peers, IHttpClientFactory clients)
    {
        if (!peers.Value.Services.TryGetValue(peer, out var address))
        {
            return TypedResults.Problem($"No peer service named '{peer}' is configured.", statusCode: StatusCodes.Status404NotFound);
        }

        var trace = http.Features.Get<RequestTrace>()!;
        var user = http.User.ToUserContext();
        var context = await EnrichAsync(http, users, trace, user, ServiceName(http));
        if (context is null) return Unknown();
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(address, "context"));
        request.Headers.Authorization = AuthenticationHeaderValue.Parse(http.Request.Headers.Authorization.ToString());
        request.Headers.Add(RequestTrace.TraceParentHeader, trace.ToTraceParent());
        if (trace.TraceState is { Length: > 0 } state) request.Headers.Add(RequestTrace.TraceStateHeader, state);
        request.Headers.Add(UserContextSigner.Header, signer.Sign(context));
        using var response = await clients.CreateClient("peers").SendAsync(request, http.RequestAborted);
        if (!response.IsSuccessStatusCode)
        {
            return TypedResults.Problem($"The peer '{peer}' answered {(int)response.StatusCode}.", statusCode: StatusCodes.Status502BadGateway);
        }

        var downstream = await response.Content.ReadFromJsonAsync<ContextView>(http.RequestAborted);
        return TypedResults.Ok(new Relayed(View(context, trace, context.EnrichedBy), downstream!));
    }

    private static async Task<IResult> EnrichedViewAsync(HttpContext http, UserDirectory users, RequestTrace trace, UserContext user, string service) =>
        await EnrichAsync(http, users, trace, user, service) is { } context ? TypedResults.Ok(View(context, trace, service)) : Unknown();

    private static async Task<EnrichedContext?> EnrichAsync(HttpContext http, UserDirectory users, RequestTrace trace, UserContext user, string service)
    {
        var record = await users.FindAsync(user.UserId, http.RequestAborted);
        if (record is null) return null;
        var grant = await http.AccessAsync();
        return new EnrichedContext(user.UserId, user.TenantId, user.SessionId, record.Email, grant.Role, grant.Permissions,
            trace.TraceId.ToHexString(), service, [service]);
    }

    private static ContextView View(EnrichedContext context, RequestTrace trace, string service) => new(
        service, context.UserId, context.TenantId, context.SessionId, context.Email, context.Role, context.Permissions,
        trace.TraceId.ToHexString(), trace.ParentSpanId?.ToHexString(), trace.SpanId.ToHexString(), context.EnrichedBy, context.Via);

    private static IResult Unknown() =>
        TypedResults.Problem("The token names a user this platform does not know.", statusCode: StatusCodes.Status403Forbidden);

    private static string ServiceName(HttpContext http) =>
        string.Join('+', PlatformServicesOptions.Enabled(http.RequestServices.GetRequiredService<IConfiguration>()).Order(StringComparer.Ordinal));

    public sealed record ContextView(
        string Service, Guid UserId, Guid TenantId, string SessionId, string Email, string Role, IReadOnlyList<string> Permissions,
        string TraceId, string? ParentSpanId, string SpanId, string EnrichedBy, IReadOnlyList<string> Via);

    public sealed record Relayed(ContextView Here, ContextView Downstream);
}
