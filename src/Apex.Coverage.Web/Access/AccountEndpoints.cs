using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc;

namespace Apex.Coverage.Web.Access;

/// <summary>
/// POST /account/login and /account/logout: the forms of the sign-in page and the app bar post
/// here (antiforgery-checked, as every minimal-API form is); Identity's SignInManager does the rest.
/// </summary>
public static class AccountEndpoints
{
    public const string LoginPath = "/account/login";

    public static IEndpointRouteBuilder MapAccountEndpoints(this IEndpointRouteBuilder app)
    {
        var account = app.MapGroup("/account").ExcludeFromDescription();
        account.MapPost("/login", LoginAsync).AllowAnonymous();
        account.MapPost("/logout", LogoutAsync).AllowAnonymous();
        if (app.ServiceProvider.GetRequiredService<IConfiguration>().GetSection(OidcOptions.Section).Get<OidcOptions>() is { Enabled: true })
        {
            account.MapExternalSignIn();
        }

        return app;
    }

    private static async Task<RedirectHttpResult> LoginAsync(
        [FromForm] string? email, [FromForm] string? password, [FromForm] string? returnUrl,
        SignInManager<DashboardUser> signIn, SignInRecorder recorder)
    {
        var target = LocalOnly(returnUrl);
        if (string.IsNullOrWhiteSpace(email) || string.IsNullOrEmpty(password))
        {
            return Back("missing", target);
        }

        var result = await signIn.PasswordSignInAsync(email.Trim(), password, isPersistent: false, lockoutOnFailure: true);
        await recorder.RecordAsync(email.Trim(), result);
        return result.Succeeded ? TypedResults.LocalRedirect(target) : Back(result.IsLockedOut ? "locked" : "invalid", target);
    }

    private static async Task<RedirectHttpResult> LogoutAsync(SignInManager<DashboardUser> signIn)
    {
        await signIn.SignOutAsync();
        return TypedResults.LocalRedirect(LoginPath);
    }

    private static RedirectHttpResult Back(string error, string returnUrl) =>
        TypedResults.LocalRedirect($"{LoginPath}?error={error}&returnUrl={Uri.EscapeDataString(returnUrl)}");

    /// <summary>Only a path of this site: an open redirect would hand the session's trust to another.</summary>
    internal static string LocalOnly(string? returnUrl) =>
        returnUrl is { Length: > 0 } url && url[0] == '/' && (url.Length == 1 || (url[1] != '/' && url[1] != '\\')) ? url : "/";
}
