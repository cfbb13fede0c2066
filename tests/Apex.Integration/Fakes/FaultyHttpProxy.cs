using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace Apex.Integration.Fakes;

public enum ProxyFault
{
    None,

    /// <summary>The request never reaches the target: the network is down.</summary>
    Unreachable,

    /// <summary>The target does the work, but its answer is lost on the way back (a timeout after commit).</summary>
    LoseResponse,
}

/// <summary>
/// A network fault injector in front of a real internal server (toxiproxy style): it forwards every
/// request unchanged, and on demand drops the request or loses the answer after the server acted.
/// The server behind it stays real; only the wire between the platform and it misbehaves.
/// </summary>
public sealed class FaultyHttpProxy(Uri target) : FakeHttpServer
{
    private static readonly HttpClient Forwarder = new();
    private int _forwardedInserts;

    public ProxyFault Fault { get; set; }

    /// <summary>ClickHouse INSERTs that reached the server, whether or not their answer came back.</summary>
    public int ForwardedInserts => _forwardedInserts;

    public static async Task<FaultyHttpProxy> StartNewAsync(Uri target)
    {
        var proxy = new FaultyHttpProxy(target);
        await proxy.StartAsync();
        return proxy;
    }

    protected override void Map(WebApplication app) => app.Run(async context =>
    {
        if (Fault == ProxyFault.Unreachable)
        {
            context.Abort();
            return;
        }

        using var request = new HttpRequestMessage(new HttpMethod(context.Request.Method), new Uri(target, context.Request.Path + context.Request.QueryString))
        {
            Content = new StreamContent(context.Request.Body),
        };
        using var response = await Forwarder.SendAsync(request, context.RequestAborted);
        if (context.Request.Query["query"].ToString().StartsWith("INSERT", StringComparison.OrdinalIgnoreCase))
        {
            Interlocked.Increment(ref _forwardedInserts);
        }

        if (Fault == ProxyFault.LoseResponse)
        {
            context.Abort();
            return;
        }

        context.Response.StatusCode = (int)response.StatusCode;
        await response.Content.CopyToAsync(context.Response.Body, context.RequestAborted);
    });
}
