using System.Net;
using System.Net.Http.Headers;

namespace Apex.Platform.Auth.Client;

/// <summary>
/// The request interceptor: puts the session's current token on each request; when the platform
/// answers 401 because the token expired in flight, it gets a fresh token (one refresh, shared by
/// every request that hit the same expiry) and sends the request once more. A second 401, or a
/// session that ended, goes back to the caller unchanged: no loops.
/// </summary>
public sealed class TokenRefreshHandler(ClientTokenSession session) : DelegatingHandler
{
    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        // Buffered so that the body can be sent a second time.
        if (request.Content is not null) await request.Content.LoadIntoBufferAsync(cancellationToken);
        var token = await session.AccessTokenAsync(cancellationToken);
        if (token is null) return new HttpResponseMessage(HttpStatusCode.Unauthorized) { RequestMessage = request };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        var response = await base.SendAsync(request, cancellationToken);
        if (response.StatusCode != HttpStatusCode.Unauthorized) return response;

        var fresh = await session.RefreshAsync(token, cancellationToken);
        if (fresh is null) return response;
        response.Dispose();
        using var retry = await CloneAsync(request, cancellationToken);
        retry.Headers.Authorization = new AuthenticationHeaderValue("Bearer", fresh.AccessToken);
        return await base.SendAsync(retry, cancellationToken);
    }

    private static async Task<HttpRequestMessage> CloneAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var clone = new HttpRequestMessage(request.Method, request.RequestUri) { Version = request.Version };
        foreach (var header in request.Headers) clone.Headers.TryAddWithoutValidation(header.Key, header.Value);
        if (request.Content is not null)
        {
            clone.Content = new ByteArrayContent(await request.Content.ReadAsByteArrayAsync(cancellationToken));
            foreach (var header in request.Content.Headers) clone.Content.Headers.TryAddWithoutValidation(header.Key, header.Value);
        }

        return clone;
    }
}
