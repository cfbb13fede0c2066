using System.Net;
using Polly;
using Polly.Timeout;

namespace Apex.Platform.Resilience.Retries;

/// <summary>
/// Which failures are worth another attempt. Transient: the network failed, the call timed out, or
/// the server said "not now" (408, 429, 500, 502, 503, 504). Permanent: every other 4xx, and 501 —
/// the same request will fail the same way, so retrying only adds load.
/// </summary>
public static class TransientFailure
{
    private static readonly HashSet<HttpStatusCode> Transient =
    [
        HttpStatusCode.RequestTimeout, HttpStatusCode.TooManyRequests, HttpStatusCode.InternalServerError,
        HttpStatusCode.BadGateway, HttpStatusCode.ServiceUnavailable, HttpStatusCode.GatewayTimeout,
    ];

    public static bool Is(Outcome<HttpResponseMessage> outcome) => outcome switch
    {
        { Exception: HttpRequestException or TimeoutRejectedException } => true,
        { Result: { } response } => Transient.Contains(response.StatusCode),
        _ => false,
    };
}
