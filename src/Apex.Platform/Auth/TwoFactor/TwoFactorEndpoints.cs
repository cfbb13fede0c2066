using System.Security.Cryptography;
using Apex.Platform.Auth.Sessions;
using Microsoft.Extensions.Options;

namespace Apex.Platform.Auth.TwoFactor;

public static class TwoFactorEndpoints
{
    public static IEndpointRouteBuilder MapTwoFactor(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/auth/2fa");
        group.MapPost("/enroll", EnrollAsync).RequireAuthorization();
        group.MapPost("/activate", async (CodeBody body, HttpContext http, TwoFactorStore store) =>
            await store.AcceptTotpAsync(http.User.ToUserContext().UserId, body.Code, activate: true, http.RequestAborted)
                ? Results.NoContent()
                : TypedResults.Problem("The code does not match the enrolled secret (or was already used).", statusCode: StatusCodes.Status400BadRequest))
            .RequireAuthorization();
        group.MapPost("/sms", SendSmsAsync);
        group.MapPost("/verify", VerifyAsync);
        return app;
    }

    /// <summary>A new secret for the authenticator app and ten recovery codes, each shown only now.</summary>
    private static async Task<IResult> EnrollAsync(EnrollBody body, HttpContext http, TwoFactorStore store, UserDirectory users, IOptions<TwoFactorOptions> options)
    {
        var user = http.User.ToUserContext();
        var enrolled = await store.EnrollAsync(user.UserId, body.Phone, http.RequestAborted);
        if (enrolled is not { } e) return TypedResults.Problem("Two-factor authentication is already active.", statusCode: StatusCodes.Status409Conflict);
        var account = (await users.FindAsync(user.UserId, http.RequestAborted))?.Email ?? user.UserId.ToString();
        var secret = Base32.Encode(e.Secret);
        var issuer = Uri.EscapeDataString(options.Value.Issuer);
        var uri = $"otpauth://totp/{issuer}:{Uri.EscapeDataString(account)}?secret={secret}&issuer={issuer}&algorithm=SHA1&digits=6&period=30";
        return TypedResults.Ok(new Enrolled(secret, uri, e.RecoveryCodes));
    }

    private static async Task<IResult> SendSmsAsync(ChallengeBody body, HttpContext http, TwoFactorChallenges challenges, TwoFactorStore store, SmsGatewayClient sms)
    {
        if (!sms.Configured) return TypedResults.Problem("SMS delivery is not configured.", statusCode: StatusCodes.Status503ServiceUnavailable);
        if (await challenges.FindAsync(body.ChallengeId) is not { } challenge) return ChallengeGone();
        if ((await store.FindAsync(challenge.User.Id, http.RequestAborted))?.Phone is not { } phone)
        {
            return TypedResults.Problem("No phone number is enrolled for SMS codes.", statusCode: StatusCodes.Status409Conflict);
        }

        var code = RandomNumberGenerator.GetInt32(0, 1_000_000).ToString("D6", System.Globalization.CultureInfo.InvariantCulture);
        try
        {
            await sms.SendAsync(phone, $"Your Apex sign-in code is {code}", http.RequestAborted);
        }
        catch (SmsDeliveryException e)
        {
            return TypedResults.Problem(e.Message + " Use your authenticator app or a recovery code.", statusCode: StatusCodes.Status502BadGateway);
        }

        await challenges.SetSmsCodeAsync(challenge.Id, Convert.ToHexString(TwoFactorStore.Hash(code)));
        return TypedResults.Accepted((string?)null, new { sentTo = $"***{phone[^Math.Min(4, phone.Length)..]}" });
    }

    private static async Task<IResult> VerifyAsync(VerifyBody body, HttpContext http, TwoFactorChallenges challenges, TwoFactorStore store, SessionManager sessions)
    {
        if (await challenges.FindAsync(body.ChallengeId) is not { } challenge) return ChallengeGone();
        var accepted = body.Method switch
        {
            "totp" => await store.AcceptTotpAsync(challenge.User.Id, body.Code, activate: false, http.RequestAborted),
            "sms" => challenge.SmsCodeHash is { } hash && CryptographicOperations.FixedTimeEquals(
                Convert.FromHexString(hash), TwoFactorStore.Hash(body.Code.Trim())),
            "recovery" => await store.UseRecoveryCodeAsync(challenge.User.Id, body.Code, http.RequestAborted),
            _ => false,
        };
        if (!accepted)
        {
            var left = await challenges.FailAsync(challenge.Id);
            return TypedResults.Problem($"The {body.Method} code was not accepted. {left} attempts left.", statusCode: StatusCodes.Status401Unauthorized,
                extensions: new Dictionary<string, object?> { ["attemptsLeft"] = left });
        }

        return await challenges.CompleteAsync(challenge.Id)
            ? TypedResults.Ok((await sessions.StartAsync(challenge.User, challenge.Device)).ToResponse())
            : ChallengeGone();
    }

    private static IResult ChallengeGone() =>
        TypedResults.Problem("This sign-in challenge does not exist, has expired or was already completed; sign in again.", statusCode: StatusCodes.Status401Unauthorized);

    public sealed record EnrollBody(string? Phone);

    public sealed record CodeBody(string Code);

    public sealed record ChallengeBody(string ChallengeId);

    public sealed record VerifyBody(string ChallengeId, string Method, string Code);

    public sealed record Enrolled(string Secret, string OtpAuthUri, IReadOnlyList<string> RecoveryCodes);
}
