using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;

namespace Apex.Coverage.Web.Access;

/// <summary>
/// POST /account/external (the sign-in page's provider button; antiforgery-checked like every form) sends the
/// person to the provider; GET /account/external/callback, where the OIDC handler returns them, signs them in.
/// </summary>
public static class ExternalSignInEndpoints
{
    public const string CallbackPath = "/account/external/callback";

    public static RouteGroupBuilder MapExternalSignIn(this RouteGroupBuilder account)
    {
        account.MapPost("/external", Challenge).AllowAnonymous();
        account.MapGet("/external/callback", CallbackAsync).AllowAnonymous();
        return account;
    }

    private static ChallengeHttpResult Challenge([FromForm] string? returnUrl) =>
        TypedResults.Challenge(
            new AuthenticationProperties { RedirectUri = $"{CallbackPath}?returnUrl={Uri.EscapeDataString(AccountEndpoints.LocalOnly(returnUrl))}" },
            [OidcSignIn.Scheme]);

    private static async Task<RedirectHttpResult> CallbackAsync(HttpContext http, ExternalSignIn external, string? returnUrl)
    {
        var target = AccountEndpoints.LocalOnly(returnUrl);
        return await external.CompleteAsync(http) is { } error
            ? TypedResults.LocalRedirect($"{AccountEndpoints.LoginPath}?error={error}&returnUrl={Uri.EscapeDataString(target)}")
            : TypedResults.LocalRedirect(target);
    }
}
