using Apex.Platform.Auth.Permissions;
using Apex.Platform.Auth.Sessions;
using Apex.Platform.Auth.TwoFactor;

namespace Apex.Platform.Auth.SignIn;

/// <summary>
/// What every way of signing in (OAuth, SAML, password) has in common once the user is known:
/// their role is ensured, a second factor is asked for when they enrolled one, otherwise a session
/// starts on the device they signed in from.
/// </summary>
public sealed class SignInFlow(UserDirectory users, PermissionStore permissions, TwoFactorStore twoFactor, TwoFactorChallenges challenges, SessionManager sessions)
{
    public const string DeviceHeader = "X-Device-Name";

    public async Task<SignInOutcome> CompleteAsync(string provider, ExternalIdentity identity, HttpContext http)
    {
        var user = await users.UpsertFromProviderAsync(provider, identity, http.RequestAborted);
        return await ContinueAsync(user, DeviceOf(http), http.RequestAborted);
    }

    public async Task<SignInOutcome> ContinueAsync(PlatformUser user, string device, CancellationToken cancellationToken)
    {
        await permissions.EnsureRoleAsync(user, cancellationToken);
        if (await twoFactor.FindAsync(user.Id, cancellationToken) is { Active: true } enrolment)
        {
            string[] methods = enrolment.Phone is null ? ["totp", "recovery"] : ["totp", "sms", "recovery"];
            return new SignInOutcome(null, new ChallengeResponse(await challenges.CreateAsync(user, device), methods));
        }

        return new SignInOutcome(await sessions.StartAsync(user, device), null);
    }

    /// <summary>A name for the device, shown in the user's session list: the client's own name for itself, else its User-Agent.</summary>
    public static string DeviceOf(HttpContext http)
    {
        var named = http.Request.Headers[DeviceHeader].ToString();
        var device = named.Length > 0 ? named : http.Request.Headers.UserAgent.ToString();
        return device.Length == 0 ? "unknown device" : device[..Math.Min(device.Length, 200)];
    }
}

/// <summary>A session, or a challenge the user must answer with a second factor first.</summary>
public sealed record SignInOutcome(SignedInSession? Session, ChallengeResponse? Challenge)
{
    /// <summary>200 with tokens, or 202 with the challenge to answer at /auth/2fa/verify.</summary>
    public IResult ToResult() => Session is { } session ? TypedResults.Ok(session.ToResponse()) : TypedResults.Accepted((string?)null, Challenge);
}

public sealed record ChallengeResponse(string ChallengeId, IReadOnlyList<string> Methods);
