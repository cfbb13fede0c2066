using System.Net;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.HttpOverrides;
using Microsoft.Extensions.Options;

namespace Apex.Coverage.Web.Hosting;

/// <summary>
/// The dashboard's edge (issue 15, ADR 0182): security headers on every answer, X-Forwarded-*
/// only from configured proxies, an over-long request line or header block answered 414 / 431 with
/// problem details, and every API error — a JSON body that does not bind, an exception — answered
/// as problem details rather than an empty body or the HTML error page.
/// </summary>
public static class EdgeHardening
{
    // Kestrel refuses what is past its own limits before any middleware runs, with an empty body;
    // its limits sit above the configured ones so the dashboard answers those requests itself.
    private const int KestrelHeadroom = 4;

    public static WebApplicationBuilder AddEdgeHardening(this WebApplicationBuilder builder)
    {
        builder.Services.AddOptions<EdgeOptions>()
            .BindConfiguration(EdgeOptions.SectionName)
            .ValidateDataAnnotations()
            .ValidateOnStart();
        builder.Services.AddOptions<ForwardedHeadersOptions>().Configure<IOptions<EdgeOptions>>((forwarded, edge) => TrustOnly(forwarded, edge.Value));
        var edge = builder.Configuration.GetSection(EdgeOptions.SectionName).Get<EdgeOptions>() ?? new EdgeOptions();
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.Limits.MaxRequestLineSize = Math.Max(kestrel.Limits.MaxRequestLineSize, edge.MaxRequestLineBytes * KestrelHeadroom);
            kestrel.Limits.MaxRequestHeadersTotalSize = Math.Max(kestrel.Limits.MaxRequestHeadersTotalSize, edge.MaxRequestHeadersBytes * KestrelHeadroom);
            kestrel.Limits.MaxRequestBufferSize = null;
        });
        return builder;
    }

    /// <summary>First in the pipeline: the rest sees the client's address and scheme and the limits hold for every path.</summary>
    public static WebApplication UseEdgeHardening(this WebApplication app)
    {
        // With no known proxy and no known network, the middleware would believe every sender: it
        // runs only when a proxy is configured.
        var edge = app.Services.GetRequiredService<IOptions<EdgeOptions>>().Value;
        if (edge.KnownProxies.Length > 0 || edge.KnownNetworks.Length > 0)
        {
            app.UseForwardedHeaders();
        }

        app.UseSecurityHeaders();
        app.UseRequestLimits();
        return app;
    }

    /// <summary>An exception or an empty error answer under /api becomes problem details.</summary>
    public static WebApplication UseApiProblems(this WebApplication app)
    {
        app.UseWhen(IsApi, api =>
        {
            api.UseExceptionHandler(new ExceptionHandlerOptions { StatusCodeSelector = StatusOf });
            api.UseStatusCodePages();
        });
        return app;
    }

    public static bool IsApi(HttpContext context) => context.Request.Path.StartsWithSegments("/api", StringComparison.OrdinalIgnoreCase);

    // A body that is not JSON, or not the expected shape, is the client's error, not the server's.
    private static int StatusOf(Exception error) => error switch
    {
        BadHttpRequestException bad => bad.StatusCode,
        _ => StatusCodes.Status500InternalServerError,
    };

    private static void TrustOnly(ForwardedHeadersOptions forwarded, EdgeOptions edge)
    {
        forwarded.ForwardedHeaders = ForwardedHeaders.XForwardedFor | ForwardedHeaders.XForwardedProto;
        // The defaults trust loopback; a proxy is trusted only when configured.
        forwarded.KnownProxies.Clear();
        forwarded.KnownIPNetworks.Clear();
        foreach (var proxy in edge.KnownProxies)
        {
            forwarded.KnownProxies.Add(IPAddress.Parse(proxy));
        }

        foreach (var network in edge.KnownNetworks)
        {
            forwarded.KnownIPNetworks.Add(System.Net.IPNetwork.Parse(network));
        }
    }
}
