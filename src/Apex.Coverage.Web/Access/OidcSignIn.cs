using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Authentication.OpenIdConnect;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.Protocols.OpenIdConnect;

namespace Apex.Coverage.Web.Access;

/// <summary>
/// The external OpenID Connect provider (ADR 0220), registered only when <c>Auth:Oidc:Authority</c> is set:
/// ASP.NET Core's own OIDC handler, authorization code with PKCE, the provider's claims kept as sent, and the
/// result put in Identity's external cookie for <see cref="ExternalSignIn"/> to turn into a dashboard account.
/// </summary>
public static class OidcSignIn
{
    public const string Scheme = "oidc";
    public const string CallbackPath = "/signin-oidc";
    public const string Method = "oidc";

    public static AuthenticationBuilder AddDashboardOidc(this AuthenticationBuilder authentication, IConfiguration configuration)
    {
        var oidc = configuration.GetSection(OidcOptions.Section).Get<OidcOptions>() ?? new OidcOptions();
        if (!oidc.Enabled)
        {
            return authentication;
        }

        authentication.AddOpenIdConnect(Scheme, oidc.DisplayName, _ => { });
        // From the validated options, so a bad configuration stops the app with the key's name first.
        authentication.Services.AddOptions<OpenIdConnectOptions>(Scheme)
            .Configure<IOptions<AccessOptions>>((options, access) => Configure(options, access.Value.Oidc));
        authentication.Services.AddScoped<ExternalSignIn>();
        return authentication;
    }

    private static void Configure(OpenIdConnectOptions options, OidcOptions oidc)
    {
        options.Authority = oidc.Authority;
        options.ClientId = oidc.ClientId;
        options.ClientSecret = oidc.ClientSecret;
        options.RequireHttpsMetadata = oidc.RequireHttpsMetadata;
        options.ResponseType = OpenIdConnectResponseType.Code;
        options.UsePkce = true;
        // The code comes back on a top-level GET, so the correlation and nonce cookies can be SameSite=Lax
        // (a form_post from the provider's site would need SameSite=None, which needs HTTPS everywhere).
        options.ResponseMode = OpenIdConnectResponseMode.Query;
        options.CorrelationCookie.SameSite = SameSiteMode.Lax;
        options.CorrelationCookie.SecurePolicy = CookieSecurePolicy.SameAsRequest;
        options.NonceCookie.SameSite = SameSiteMode.Lax;
        options.NonceCookie.SecurePolicy = CookieSecurePolicy.SameAsRequest;
        options.SignInScheme = IdentityConstants.ExternalScheme;
        options.CallbackPath = CallbackPath;
        // The role claim is read by its name as the provider sends it (role, roles, groups), not remapped.
        options.MapInboundClaims = false;
        options.GetClaimsFromUserInfoEndpoint = false;
        options.SaveTokens = false;
        options.Scope.Clear();
        foreach (var scope in new[] { "openid", "profile", "email" }.Concat(oidc.Scopes).Distinct(StringComparer.Ordinal))
        {
            options.Scope.Add(scope);
        }

        options.Events.OnRemoteFailure = RefuseAsync;
    }

    /// <summary>A tampered state, a nonce that does not match, an error from the provider: audited, and the person sent back to sign in.</summary>
    private static async Task RefuseAsync(RemoteFailureContext context)
    {
        var recorder = context.HttpContext.RequestServices.GetRequiredService<SignInRecorder>();
        await recorder.RecordRefusedAsync(null, Method, context.Failure?.Message ?? "the provider's answer was refused");
        context.Response.Redirect($"{AccountEndpoints.LoginPath}?error=external-failed");
        context.HandleResponse();
    }
}
