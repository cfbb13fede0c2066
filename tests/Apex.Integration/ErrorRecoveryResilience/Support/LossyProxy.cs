using Apex.Integration.Fakes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace Apex.Integration.ErrorRecoveryResilience.Support;

/// <summary>
/// A forwarding proxy between two real platform services that keeps every header (idempotency
/// keys, deadlines) and on demand drops the request, or forwards it and loses the answer after the
/// server acted — the case that makes retried writes dangerous.
/// </summary>
public sealed class LossyProxy(Uri target) : FakeHttpServer
{
    private static readonly HttpClient Forwarder = new();
    private int _forwarded;

    public ProxyFault Fault { get; set; }

    /// <summary>Requests that reached the server behind, whether or not their answer came back.</summary>
    public int Forwarded => Volatile.Read(ref _forwarded);

    public static async Task<LossyProxy> StartNewAsync(Uri target)
    {
        var proxy = new LossyProxy(target);
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

        using var request = Copy(context.Request);
        using var response = await Forwarder.SendAsync(request, context.RequestAborted);
        Interlocked.Increment(ref _forwarded);
        if (Fault == ProxyFault.LoseResponse)
        {
            context.Abort();
            return;
        }

        context.Response.StatusCode = (int)response.StatusCode;
        foreach (var (name, values) in response.Headers.Concat(response.Content.Headers))
        {
            if (!name.Equals("Transfer-Encoding", StringComparison.OrdinalIgnoreCase)) context.Response.Headers[name] = values.ToArray();
        }

        await response.Content.CopyToAsync(context.Response.Body, context.RequestAborted);
    });

    private HttpRequestMessage Copy(HttpRequest inbound)
    {
        var request = new HttpRequestMessage(new HttpMethod(inbound.Method), new Uri(target, inbound.Path + inbound.QueryString));
        if (inbound.ContentLength > 0 || inbound.Headers.TransferEncoding.Count > 0) request.Content = new StreamContent(inbound.Body);
        foreach (var (name, values) in inbound.Headers)
        {
            if (name.Equals("Host", StringComparison.OrdinalIgnoreCase)) continue;
            if (!request.Headers.TryAddWithoutValidation(name, values.ToArray())) request.Content?.Headers.TryAddWithoutValidation(name, values.ToArray());
        }

        return request;
    }
}
