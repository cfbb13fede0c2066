using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Options;

namespace Apex.Coverage.Web.Hosting;

/// <summary>
/// Answers a request whose line is longer than Edge:MaxRequestLineBytes with 414, and one whose
/// headers are larger than Edge:MaxRequestHeadersBytes with 431, both as problem details.
/// </summary>
internal static class RequestLimits
{
    public static IApplicationBuilder UseRequestLimits(this IApplicationBuilder app) => app.Use(async (context, next) =>
    {
        var edge = context.RequestServices.GetRequiredService<IOptions<EdgeOptions>>().Value;
        var problem = Check(context, edge);
        if (problem is null)
        {
            await next(context);
            return;
        }

        context.Response.StatusCode = problem.Value.Status;
        await context.RequestServices.GetRequiredService<IProblemDetailsService>().WriteAsync(new ProblemDetailsContext
        {
            HttpContext = context,
            ProblemDetails = { Status = problem.Value.Status, Title = problem.Value.Title, Detail = problem.Value.Detail },
        });
    });

    private static (int Status, string Title, string Detail)? Check(HttpContext context, EdgeOptions edge)
    {
        // Kestrel gives the raw target; a test server only the parsed path and query.
        var target = context.Features.Get<IHttpRequestFeature>()?.RawTarget is { Length: > 0 } raw
            ? raw.Length
            : (context.Request.PathBase.Value?.Length ?? 0) + (context.Request.Path.Value?.Length ?? 0) + (context.Request.QueryString.Value?.Length ?? 0);
        var line = context.Request.Method.Length + target + context.Request.Protocol.Length + 4;
        if (line > edge.MaxRequestLineBytes)
        {
            return (StatusCodes.Status414UriTooLong, "Request line too long",
                $"The request line is {line} bytes; at most {edge.MaxRequestLineBytes} are accepted (Edge:MaxRequestLineBytes). "
                + "Send long selections in a POST body rather than the query string.");
        }

        var headers = context.Request.Headers.Sum(h => h.Key.Length + 4 + h.Value.Sum(v => v?.Length ?? 0));
        return headers > edge.MaxRequestHeadersBytes
            ? (StatusCodes.Status431RequestHeaderFieldsTooLarge, "Request headers too large",
                $"The request's headers are {headers} bytes; at most {edge.MaxRequestHeadersBytes} are accepted (Edge:MaxRequestHeadersBytes).")
            : null;
    }
}
