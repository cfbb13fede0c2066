using System.Globalization;
using Apex.Platform.Auth.ApiKeys;
using Apex.Platform.Auth.Permissions;
using Microsoft.AspNetCore.Mvc;

namespace Apex.Platform.Auth.RateLimiting;

/// <summary>
/// Runs after authentication: counts each authenticated request against its limit (the API key's
/// own rate, or the user's tier) and refuses past it with 429, Retry-After and a problem that says
/// which limit was hit; every request made with an API key lands in that key's audit trail.
/// </summary>
public sealed class AccessControlMiddleware(RequestDelegate next, RedisRateLimiter limiter, ApiKeyStore apiKeys, IProblemDetailsService problems)
{
    public async Task InvokeAsync(HttpContext http)
    {
        if (http.User.Identity?.IsAuthenticated != true || http.WebSockets.IsWebSocketRequest)
        {
            await next(http);
            return;
        }

        var user = http.User.ToUserContext();
        var keyId = http.User.FindFirst(ApiKeyAuthenticationHandler.KeyIdClaim)?.Value is { } id ? Guid.Parse(id) : (Guid?)null;
        var (decision, limitName) = keyId is { } key
            ? (await limiter.ForKeyAsync(key, int.Parse(http.User.FindFirst(ApiKeyAuthenticationHandler.RateClaim)!.Value, CultureInfo.InvariantCulture), http.RequestAborted), "this API key")
            : await ForTierAsync(http, user);
        if (keyId is { } audited)
        {
            // Written before the first byte of the answer leaves: whoever sees the answer can read its audit entry.
            http.Response.OnStarting(() => apiKeys.AuditAsync(audited, user.UserId, "request", $"{http.Request.Method} {http.Request.Path}",
                http.Response.StatusCode, CancellationToken.None));
        }

        http.Response.Headers["X-RateLimit-Limit"] = decision.Limit.ToString(CultureInfo.InvariantCulture);
        http.Response.Headers["X-RateLimit-Remaining"] = decision.Remaining.ToString(CultureInfo.InvariantCulture);
        if (decision.Allowed) await next(http);
        else await RefuseAsync(http, decision, limitName);
    }

    private async Task<(RateDecision, string)> ForTierAsync(HttpContext http, UserContext user)
    {
        string tier;
        try
        {
            tier = (await http.AccessAsync()).Tier;
        }
        catch (AuthStoreUnavailableException)
        {
            // Counting goes on at the lowest tier; whether the request may proceed at all is the endpoint's call.
            tier = "free";
        }

        return (await limiter.ForTierAsync(user.UserId, tier, http.RequestAborted), $"the {tier} tier");
    }

    private async Task RefuseAsync(HttpContext http, RateDecision decision, string limitName)
    {
        var retry = (int)Math.Ceiling(decision.RetryAfter.TotalSeconds);
        http.Response.StatusCode = StatusCodes.Status429TooManyRequests;
        http.Response.Headers.RetryAfter = retry.ToString(CultureInfo.InvariantCulture);
        var problem = new ProblemDetails
        {
            Status = StatusCodes.Status429TooManyRequests,
            Title = "Rate limit exceeded",
            Detail = $"{char.ToUpperInvariant(limitName[0])}{limitName[1..]} allows {decision.Limit} requests per window; try again in {retry} s.",
        };
        problem.Extensions["limit"] = decision.Limit;
        problem.Extensions["retryAfterSeconds"] = retry;
        await problems.WriteAsync(new ProblemDetailsContext { HttpContext = http, ProblemDetails = problem });
    }
}
