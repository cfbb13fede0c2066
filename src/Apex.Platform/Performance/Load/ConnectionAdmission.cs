using Microsoft.Extensions.Options;

namespace Apex.Platform.Performance.Load;

/// <summary>
/// Admission control for WebSockets: at most <see cref="LoadOptions.MaxConnections"/> open at
/// once on this instance. Refusing the next handshake (503, Retry-After) lets a load balancer send
/// it elsewhere, instead of every socket on the instance degrading together.
/// </summary>
public sealed class ConnectionAdmission(IOptions<LoadOptions> options)
{
    private int _open;
    private int _peak;
    private long _refused;

    public int Limit => options.Value.MaxConnections;

    public int Open => Volatile.Read(ref _open);

    public int Peak => Volatile.Read(ref _peak);

    public long Refused => Interlocked.Read(ref _refused);

    public bool TryAdmit()
    {
        var open = Interlocked.Increment(ref _open);
        if (open > Limit)
        {
            Interlocked.Decrement(ref _open);
            Interlocked.Increment(ref _refused);
            return false;
        }

        int seen;
        while (open > (seen = Volatile.Read(ref _peak)) && Interlocked.CompareExchange(ref _peak, open, seen) != seen)
        {
        }

        return true;
    }

    public void Release() => Interlocked.Decrement(ref _open);
}

/// <summary>Counts each WebSocket upgrade on the configured path for as long as its request lasts.</summary>
public sealed class ConnectionAdmissionMiddleware(RequestDelegate next, ConnectionAdmission admission, IOptions<LoadOptions> options)
{
    public async Task InvokeAsync(HttpContext context)
    {
        // Runs before UseWebSockets (so a refusal costs no upgrade): the handshake is recognised by its header.
        var upgrade = context.Request.Headers.Upgrade.ToString();
        if (!upgrade.Equals("websocket", StringComparison.OrdinalIgnoreCase) || !context.Request.Path.Equals(options.Value.WebSocketPath, StringComparison.OrdinalIgnoreCase))
        {
            await next(context);
            return;
        }

        if (!admission.TryAdmit())
        {
            context.Response.Headers.RetryAfter = "1";
            await TypedResults.Problem($"This instance holds its limit of {admission.Limit} connections; retry or connect to another instance.",
                statusCode: StatusCodes.Status503ServiceUnavailable).ExecuteAsync(context);
            return;
        }

        try
        {
            await next(context);
        }
        finally
        {
            admission.Release();
        }
    }
}
