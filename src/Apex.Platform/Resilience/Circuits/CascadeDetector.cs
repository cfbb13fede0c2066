using Polly;
using Polly.Timeout;

namespace Apex.Platform.Resilience.Circuits;

/// <summary>
/// Tells a failure of the downstream itself (it refused the connection, timed out, or failed on
/// its own) from a failure it merely relays from deeper in the chain. Only the first counts against
/// the caller's breaker: otherwise one failing leaf would open every breaker above it — the cascade
/// that takes a whole product down for one broken dependency.
/// </summary>
public static class CascadeDetector
{
    /// <summary>Set by a hop that answers a failure not its own: names the dependency that failed.</summary>
    public const string OriginHeader = "X-Apex-Failure-Origin";

    public static bool CountsAgainstDownstream(Outcome<HttpResponseMessage> outcome) => outcome switch
    {
        { Exception: HttpRequestException or TimeoutRejectedException } => true,
        { Result: { } response } when (int)response.StatusCode >= 500 => !response.Headers.Contains(OriginHeader),
        _ => false,
    };
}
