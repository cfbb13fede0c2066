using System.Security.Claims;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.Options;

namespace Apex.Coverage.Web.Access;

/// <summary>
/// Turns the provider's validated ID token (in Identity's external cookie) into a dashboard sign-in: the
/// role from the configured claim (<see cref="OidcRoles"/>), the account found or made and linked to the
/// provider's subject, then Identity's own external sign-in (lockout applies). No role, no sign-in.
/// </summary>
public sealed class ExternalSignIn(SignInManager<DashboardUser> signIn, UserAccounts accounts, SignInRecorder recorder, IOptions<AccessOptions> access)
{
    /// <summary>Null when the person is signed in; otherwise the sign-in page's error code.</summary>
    public async Task<string?> CompleteAsync(HttpContext http)
    {
        var external = await http.AuthenticateAsync(IdentityConstants.ExternalScheme);
        await http.SignOutAsync(IdentityConstants.ExternalScheme);
        if (external is not { Succeeded: true, Principal: { } principal })
        {
            return "external-failed";
        }

        var oidc = access.Value.Oidc;
        var subject = principal.FindFirstValue("sub");
        var email = principal.FindFirstValue(oidc.EmailClaim) ?? principal.FindFirstValue("preferred_username");
        if (subject is null || email is null)
        {
            await recorder.RecordRefusedAsync(email ?? subject, OidcSignIn.Method, $"the ID token has no \"sub\" or \"{oidc.EmailClaim}\" claim");
            return "external";
        }

        if (OidcRoles.Of(principal, oidc) is not { } role)
        {
            var values = string.Join(", ", principal.FindAll(oidc.RoleClaim).Select(c => c.Value));
            await recorder.RecordRefusedAsync(email, OidcSignIn.Method, $"no role: claim \"{oidc.RoleClaim}\" is [{values}]");
            return "external";
        }

        return await SignInAsync(subject, email, role, oidc.DisplayName);
    }

    private async Task<string?> SignInAsync(string subject, string email, string role, string provider)
    {
        try
        {
            await accounts.LinkExternalAsync(new UserLoginInfo(OidcSignIn.Scheme, subject, provider), email, role);
        }
        catch (UserAccountException error)
        {
            await recorder.RecordRefusedAsync(email, OidcSignIn.Method, error.Message);
            return "external";
        }

        var result = await signIn.ExternalLoginSignInAsync(OidcSignIn.Scheme, subject, isPersistent: false, bypassTwoFactor: true);
        await recorder.RecordAsync(email, result, OidcSignIn.Method);
        return result.Succeeded ? null : result.IsLockedOut ? "locked" : "external";
    }
}
