using System.Security.Cryptography;

namespace Apex.Coverage.Web.Hosting;

/// <summary>
/// Headers every answer carries (ADR 0182): no MIME sniffing, no referrer beyond the origin, no
/// framing, and a Content-Security-Policy that Blazor Server and MudBlazor run under — scripts
/// only from the dashboard itself (the one inline script, Blazor's import map, carries the
/// request's nonce), the circuit's WebSocket to the same origin, inline styles allowed because
/// MudBlazor and Blazor's reconnect UI set style attributes.
/// </summary>
public static class SecurityHeaders
{
    private const string NonceKey = "apex-csp-nonce";

    /// <summary>Paths whose third-party pages (API reference, Hangfire) bring their own inline script; see ADR 0182.</summary>
    private static readonly string[] LooserScriptPaths = ["/scalar", "/hangfire"];

    /// <summary>The nonce of this request's policy, for the one inline script the page renders.</summary>
    public static string Nonce(HttpContext context)
    {
        if (context.Items[NonceKey] is string nonce)
        {
            return nonce;
        }

        // Hex, not base64: the page's HTML encoder writes '+' as an entity, and the nonce must match byte for byte.
        nonce = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16));
        context.Items[NonceKey] = nonce;
        return nonce;
    }

    public static IApplicationBuilder UseSecurityHeaders(this IApplicationBuilder app) => app.Use((context, next) =>
    {
        var headers = context.Response.Headers;
        headers.XContentTypeOptions = "nosniff";
        headers["Referrer-Policy"] = "strict-origin-when-cross-origin";
        headers.XFrameOptions = "DENY";
        headers.ContentSecurityPolicy = PolicyFor(context);
        return next(context);
    });

    public static string PolicyFor(HttpContext context)
    {
        var looser = LooserScriptPaths.Any(p => context.Request.Path.StartsWithSegments(p, StringComparison.OrdinalIgnoreCase));
        var scripts = looser ? "'self' 'unsafe-inline' https://cdn.jsdelivr.net" : $"'self' 'nonce-{Nonce(context)}'";
        return $"default-src 'self'; script-src {scripts}; style-src 'self' 'unsafe-inline'{(looser ? " https://cdn.jsdelivr.net https://fonts.googleapis.com" : "")}; "
            + "img-src 'self' data:; font-src 'self' data:" + (looser ? " https://fonts.gstatic.com" : "") + "; connect-src 'self'; "
            + $"object-src 'none'; base-uri 'self'; form-action 'self'{FormTargets(context)}; frame-ancestors 'none'";
    }

    // The sign-in page's provider button posts here and is redirected to the OIDC provider; browsers check
    // form-action along the redirect too (ADR 0220).
    private static string FormTargets(HttpContext context) =>
        context.RequestServices.GetService<Microsoft.Extensions.Options.IOptions<Access.AccessOptions>>()?.Value.Oidc is { Enabled: true } oidc
        && Uri.TryCreate(oidc.Authority, UriKind.Absolute, out var authority)
            ? " " + authority.GetLeftPart(UriPartial.Authority)
            : "";
}
