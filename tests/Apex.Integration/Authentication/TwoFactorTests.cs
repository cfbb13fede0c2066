using System.Net;
using System.Text.RegularExpressions;
using Apex.Integration.Fakes;
using Apex.Integration.Infrastructure;
using Apex.Platform.Auth;
using Apex.Platform.Auth.SignIn;
using Apex.Platform.Auth.TwoFactor;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Time.Testing;
using Base32Encoding = OtpNet.Base32Encoding;
using static Apex.Integration.Authentication.AuthApi;

namespace Apex.Integration.Authentication;

/// <summary>
/// Plan item 14: a user who enrolled a second factor signs in in two steps. TOTP per RFC 6238
/// (checked against the RFC's own test vectors, and against an independent authenticator, Otp.NET),
/// with time under the test's control: one step of drift allowed, no replay, attempts limited.
/// SMS fallback through a fake gateway: codes that work once and expire, a clear answer when the
/// gateway fails. Recovery codes that work once each.
/// </summary>
[PlanItem(14)]
[BusinessValue("Pro and Enterprise", "Stronger sign-in for accounts that need it",
    "Enhanced security worth $8K MRR compliance", "2FA is required by SOC2 and most enterprise security questionnaires")]
public sealed partial class TwoFactorTests(TwoFactorTests.Host host) : IClassFixture<TwoFactorTests.Host>
{
    private const string Phone = "+15550001234";
    private readonly FakeTimeProvider _clock = host.Clock;
    private readonly FakeOAuthProvider _provider = host.Provider;
    private readonly FakeSmsGateway _sms = host.Sms;
    private readonly PlatformInstance _platform = host.A;

    public sealed class Host(PostgresServer postgres, RedisServer redis) : ClassHost(postgres, redis)
    {
        public FakeSmsGateway Sms { get; private set; } = null!;

        protected override string Owner => "item14";

        protected override async Task<Dictionary<string, string?>> ExtraSettingsAsync()
        {
            Sms = Own(await FakeSmsGateway.StartNewAsync());
            return new()
            {
                ["Platform:TwoFactor:SmsGatewayUrl"] = Sms.BaseAddress.ToString(),
                ["Platform:TwoFactor:SmsApiKey"] = FakeSmsGateway.ApiKey,
            };
        }
    }

    [Fact]
    public async Task EnrolledUser_SignsInWithTheAuthenticatorAppsCode_AfterAChallenge()
    {
        var (_, app, _) = await EnrolledUserAsync("ann@2fa.test");

        var challenge = await ChallengeAsync("ann@2fa.test");
        _clock.Advance(TimeSpan.FromSeconds(30));
        var verified = await VerifyAsync(challenge.ChallengeId, "totp", Code(app));

        Assert.Equal(["totp", "sms", "recovery"], challenge.Methods);
        Assert.Equal(HttpStatusCode.OK, verified.StatusCode);
        var token = await verified.ReadAsync<AuthEndpoints.TokenResponse>();
        Assert.Equal(HttpStatusCode.OK, (await GetAsync(_platform, "auth/sessions/current", token.AccessToken)).StatusCode);
    }

    [Fact]
    public async Task TotpCodes_AllowOneStepOfDrift_ButNoReplay_NoOlderCodes_AndFewAttempts()
    {
        var (_, app, _) = await EnrolledUserAsync("ben@2fa.test");
        _clock.Advance(TimeSpan.FromSeconds(90));
        var first = await ChallengeAsync("ben@2fa.test");

        var tooOld = await VerifyAsync(first.ChallengeId, "totp", Code(app, TimeSpan.FromSeconds(-60)));
        var drifted = await VerifyAsync(first.ChallengeId, "totp", Code(app, TimeSpan.FromSeconds(-30)));
        var second = await ChallengeAsync("ben@2fa.test");
        var replayed = await VerifyAsync(second.ChallengeId, "totp", Code(app, TimeSpan.FromSeconds(-30)));
        // Five wrong codes in all (the replay counts) end the challenge, even for a right code after.
        for (var i = 0; i < 4; i++) await VerifyAsync(second.ChallengeId, "totp", "000000");
        _clock.Advance(TimeSpan.FromSeconds(30));
        var afterLockout = await VerifyAsync(second.ChallengeId, "totp", Code(app));

        Assert.Equal(HttpStatusCode.Unauthorized, tooOld.StatusCode);
        Assert.Equal(HttpStatusCode.OK, drifted.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, replayed.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, afterLockout.StatusCode);
        Assert.Contains("does not exist", await afterLockout.DetailAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task SmsFallback_SendsACodeThroughTheGateway_ThatWorksOnce_AndExpires()
    {
        await EnrolledUserAsync("cat@2fa.test");
        var challenge = await ChallengeAsync("cat@2fa.test");

        var sent = await SendAsync(_platform, HttpMethod.Post, "auth/2fa/sms", null, new { challengeId = challenge.ChallengeId });
        var code = SixDigits().Match(_sms.To(Phone)[^1].Text).Value;
        var verified = await VerifyAsync(challenge.ChallengeId, "sms", code);
        var again = await VerifyAsync(challenge.ChallengeId, "sms", code);
        var late = await ChallengeAsync("cat@2fa.test");
        await SendAsync(_platform, HttpMethod.Post, "auth/2fa/sms", null, new { challengeId = late.ChallengeId });
        _clock.Advance(TimeSpan.FromMinutes(6));
        var expired = await VerifyAsync(late.ChallengeId, "sms", SixDigits().Match(_sms.To(Phone)[^1].Text).Value);

        Assert.Equal(HttpStatusCode.Accepted, sent.StatusCode);
        Assert.Contains("***1234", await sent.Content.ReadAsStringAsync(Cancel), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, verified.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, again.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, expired.StatusCode);
    }

    [Fact]
    public async Task SmsGatewayDown_IsAnsweredClearly_AndTheAuthenticatorStillWorks()
    {
        var (_, app, _) = await EnrolledUserAsync("dan@2fa.test");
        var challenge = await ChallengeAsync("dan@2fa.test");
        _sms.Failing = true;
        HttpResponseMessage refused;
        try
        {
            refused = await SendAsync(_platform, HttpMethod.Post, "auth/2fa/sms", null, new { challengeId = challenge.ChallengeId });
        }
        finally
        {
            _sms.Failing = false;
        }

        _clock.Advance(TimeSpan.FromSeconds(30));
        var viaApp = await VerifyAsync(challenge.ChallengeId, "totp", Code(app));

        Assert.Equal(HttpStatusCode.BadGateway, refused.StatusCode);
        Assert.Contains("SMS gateway refused", await refused.DetailAsync(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, viaApp.StatusCode);
    }

    [Fact]
    public async Task RecoveryCodes_WorkOnceEach()
    {
        var (_, _, codes) = await EnrolledUserAsync("eve@2fa.test");

        var first = await VerifyAsync((await ChallengeAsync("eve@2fa.test")).ChallengeId, "recovery", codes[0]);
        var reused = await VerifyAsync((await ChallengeAsync("eve@2fa.test")).ChallengeId, "recovery", codes[0]);
        var next = await VerifyAsync((await ChallengeAsync("eve@2fa.test")).ChallengeId, "recovery", codes[1].ToLowerInvariant());

        Assert.Equal(10, codes.Distinct().Count());
        Assert.Equal((HttpStatusCode.OK, HttpStatusCode.Unauthorized, HttpStatusCode.OK), (first.StatusCode, reused.StatusCode, next.StatusCode));
    }

    [Fact]
    public async Task Enrolment_TakesEffectOnlyOnceConfirmed_AndCannotBeRestartedWhileActive()
    {
        var user = await SignInAsync(_platform, _provider, "fin@2fa.test");
        var enrolled = await (await SendAsync(_platform, HttpMethod.Post, "auth/2fa/enroll", user.AccessToken, new { phone = Phone })).ReadAsync<TwoFactorEndpoints.Enrolled>();
        var app = new OtpNet.Totp(Base32Encoding.ToBytes(enrolled.Secret));

        var wrong = await SendAsync(_platform, HttpMethod.Post, "auth/2fa/activate", user.AccessToken, new { code = "123456" == Code(app) ? "654321" : "123456" });
        var beforeActivation = await OAuthCallbackAsync(_platform, _provider, "fin@2fa.test");
        var activate = await SendAsync(_platform, HttpMethod.Post, "auth/2fa/activate", user.AccessToken, new { code = Code(app) });
        var again = await SendAsync(_platform, HttpMethod.Post, "auth/2fa/enroll", user.AccessToken, new { phone = Phone });

        Assert.StartsWith("otpauth://totp/Apex:fin%402fa.test?secret=", enrolled.OtpAuthUri, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.BadRequest, wrong.StatusCode);
        Assert.Equal(HttpStatusCode.OK, beforeActivation.StatusCode);
        Assert.Equal(HttpStatusCode.NoContent, activate.StatusCode);
        Assert.Equal(HttpStatusCode.Conflict, again.StatusCode);
        Assert.Equal(HttpStatusCode.Accepted, (await OAuthCallbackAsync(_platform, _provider, "fin@2fa.test")).StatusCode);
    }

    private async Task<(AuthEndpoints.TokenResponse User, OtpNet.Totp App, IReadOnlyList<string> RecoveryCodes)> EnrolledUserAsync(string email)
    {
        var user = await SignInAsync(_platform, _provider, email);
        var enrolled = await (await SendAsync(_platform, HttpMethod.Post, "auth/2fa/enroll", user.AccessToken, new { phone = Phone })).ReadAsync<TwoFactorEndpoints.Enrolled>();
        var app = new OtpNet.Totp(Base32Encoding.ToBytes(enrolled.Secret));
        Assert.Equal(HttpStatusCode.NoContent, (await SendAsync(_platform, HttpMethod.Post, "auth/2fa/activate", user.AccessToken, new { code = Code(app) })).StatusCode);
        return (user, app, enrolled.RecoveryCodes);
    }

    private async Task<ChallengeResponse> ChallengeAsync(string email)
    {
        var response = await OAuthCallbackAsync(_platform, _provider, email);
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        return await response.ReadAsync<ChallengeResponse>();
    }

    private Task<HttpResponseMessage> VerifyAsync(string challengeId, string method, string code) =>
        SendAsync(_platform, HttpMethod.Post, "auth/2fa/verify", null, new { challengeId, method, code });

    /// <summary>What the authenticator app shows at the platform's current time (plus an offset, to model a skewed phone clock).</summary>
    private string Code(OtpNet.Totp app, TimeSpan offset = default) => app.ComputeTotp((_clock.GetUtcNow() + offset).UtcDateTime);

    [GeneratedRegex(@"\b\d{6}\b")]
    private static partial Regex SixDigits();
}
