using System.Diagnostics;

namespace Apex.Platform.Auth.Context;

/// <summary>
/// This hop of a W3C trace: the trace it belongs to, the caller's span (its parent) and its own.
/// An absent or malformed traceparent starts a new trace, as the W3C Trace Context spec requires.
/// </summary>
public sealed record RequestTrace(ActivityTraceId TraceId, ActivitySpanId? ParentSpanId, ActivitySpanId SpanId, ActivityTraceFlags Flags, string? TraceState)
{
    public const string TraceParentHeader = "traceparent";
    public const string TraceStateHeader = "tracestate";

    /// <summary>The traceparent to send downstream: same trace, this hop's span as the parent.</summary>
    public string ToTraceParent() => $"00-{TraceId.ToHexString()}-{SpanId.ToHexString()}-{((byte)Flags).ToString("x2", System.Globalization.CultureInfo.InvariantCulture)}";

    public static RequestTrace From(HttpRequest request)
    {
        var parent = request.Headers[TraceParentHeader].ToString();
        var state = request.Headers[TraceStateHeader].ToString();
        return ActivityContext.TryParse(parent, state, isRemote: true, out var context)
            ? new RequestTrace(context.TraceId, context.SpanId, ActivitySpanId.CreateRandom(), context.TraceFlags, context.TraceState)
            : new RequestTrace(ActivityTraceId.CreateRandom(), null, ActivitySpanId.CreateRandom(), ActivityTraceFlags.None, null);
    }
}

/// <summary>Gives every request its hop of the trace and tells the caller which span served it.</summary>
public sealed class TraceContextMiddleware(RequestDelegate next)
{
    public Task InvokeAsync(HttpContext http)
    {
        var trace = RequestTrace.From(http.Request);
        http.Features.Set(trace);
        // W3C Trace Context Level 2: the callee's span, so a client can find this hop.
        http.Response.Headers["traceresponse"] = trace.ToTraceParent();
        return next(http);
    }
}
