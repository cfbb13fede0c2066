using System.Diagnostics;
using System.Net;
using Apex.Integration.Fakes;
using Apex.Integration.Infrastructure;
using Apex.Platform.Auth;
using Apex.Platform.Auth.Context;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using static Apex.Integration.Authentication.AuthApi;

namespace Apex.Integration.Authentication;

/// <summary>
/// Plan item 8: the auth service calls the backend on the user's behalf. The user context goes
/// along enriched (directory record, role, permissions) and signed, with the user's token and
/// the W3C traceparent/tracestate, so the backend sees the same trace (a new span whose parent is
/// the caller's) and the same user without looking them up again. A context that is not genuine,
/// names another user, or belongs to another trace is refused.
/// </summary>
[PlanItem(8)]
[BusinessValue("All tiers", "One identity and one trace across services",
    "Consistent identity worth $9K MRR data integrity", "Auditable cross-service calls support SOC2 evidence")]
public sealed class CrossServiceUserContextTests(CrossServiceUserContextTests.Host host) : IClassFixture<CrossServiceUserContextTests.Host>
{
    private readonly FakeOAuthProvider _provider = host.Provider;
    private readonly PlatformInstance _auth = host.A;
    private readonly PlatformInstance _backend = host.B;

    /// <summary>The auth service (A) and the backend (B), separately hosted; A knows where B is.</summary>
    public sealed class Host(PostgresServer postgres, RedisServer redis) : ClassHost(postgres, redis)
    {
        protected override string Owner => "item8";

        protected override async Task StartPlatformsAsync(Dictionary<string, string?> extra)
        {
            B = await StartAsync(["backend"], extra);
            A = await StartAsync(["auth"], new Dictionary<string, string?>(extra) { ["Platform:Peers:Services:backend"] = B.BaseAddress.ToString() });
        }
    }

    [Fact]
    public async Task ContextRelayedToAPeer_KeepsTraceAndUser_WithANewSpanPerHop_AndTheEnrichmentOfTheFirstService()
    {
        var user = await SignInAsync(_auth, _provider, "ora@trace-first.test");
        var (trace, span) = (ActivityTraceId.CreateRandom().ToHexString(), ActivitySpanId.CreateRandom().ToHexString());

        var response = await SendWithTraceAsync(_auth, "context/via/backend", user.AccessToken, $"00-{trace}-{span}-01", "apex=t1");
        var relayed = await response.ReadAsync<ContextEndpoints.Relayed>();
        var (here, there) = (relayed.Here, relayed.Downstream);

        Assert.Equal((trace, span), (here.TraceId, here.ParentSpanId));
        Assert.Equal((trace, here.SpanId), (there.TraceId, there.ParentSpanId));
        Assert.NotEqual(here.SpanId, there.SpanId);
        Assert.Equal((user.UserId, user.TenantId, user.SessionId), (there.UserId, there.TenantId, there.SessionId));
        Assert.Equal(("ora@trace-first.test", "admin", "auth"), (there.Email, there.Role, there.EnrichedBy));
        Assert.Equal(here.Permissions, there.Permissions);
        Assert.Equal(["auth", "backend"], there.Via);
        Assert.StartsWith($"00-{trace}-", response.Headers.GetValues("traceresponse").Single(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task ForgedOrMisplacedContexts_AreRefusedByThePeer()
    {
        var victim = await SignInAsync(_auth, _provider, "vic@trace.test");
        var attacker = await SignInAsync(_auth, _provider, "mal@trace.test");
        var trace = ActivityTraceId.CreateRandom().ToHexString();
        var signer = _auth.Services.GetRequiredService<UserContextSigner>();
        var victimsContext = signer.Sign(ContextOf(victim, trace, "admin"));
        var attackersOwn = signer.Sign(ContextOf(attacker, trace, "viewer"));
        var selfPromoted = Tamper(attackersOwn, "\"viewer\"", "\"admin\"");
        var otherKey = new UserContextSigner(Options.Create(new AuthOptions { SigningKey = "some-other-platform-key-0123456789abcdef" }), TimeProvider.System)
            .Sign(ContextOf(attacker, trace, "admin"));

        var refusals = new[]
        {
            await PresentAsync(attacker, trace, victimsContext),
            await PresentAsync(attacker, trace, selfPromoted),
            await PresentAsync(attacker, trace, otherKey),
            await PresentAsync(attacker, ActivityTraceId.CreateRandom().ToHexString(), attackersOwn),
            await PresentAsync(attacker, trace, "not-a-context"),
        };
        var genuine = await PresentAsync(attacker, trace, attackersOwn);

        await AssertRefusedWithReasonsAsync(refusals);
        Assert.Equal(HttpStatusCode.OK, genuine.StatusCode);
        Assert.Equal("viewer", (await genuine.ReadAsync<ContextEndpoints.ContextView>()).Role);
    }

    /// <summary>Every forged or misplaced context is a 403; the victim's, the tampered one and the other trace's say why.</summary>
    private static async Task AssertRefusedWithReasonsAsync(HttpResponseMessage[] refusals)
    {
        Assert.All(refusals, r => Assert.Equal(HttpStatusCode.Forbidden, r.StatusCode));
        Assert.Contains("someone other", await refusals[0].DetailAsync(), StringComparison.Ordinal);
        Assert.Contains("signature", await refusals[1].DetailAsync(), StringComparison.Ordinal);
        Assert.Contains("another trace", await refusals[3].DetailAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task MissingOrMalformedTraceParent_StartsANewTrace_AndTheServiceEnrichesTheContextItself()
    {
        var user = await SignInAsync(_auth, _provider, "pia@trace.test");

        var none = await (await SendWithTraceAsync(_backend, "context", user.AccessToken, null, null)).ReadAsync<ContextEndpoints.ContextView>();
        var malformed = await (await SendWithTraceAsync(_backend, "context", user.AccessToken, "00-not-a-trace-01", null)).ReadAsync<ContextEndpoints.ContextView>();

        Assert.Null(none.ParentSpanId);
        Assert.Null(malformed.ParentSpanId);
        Assert.NotEqual(none.TraceId, malformed.TraceId);
        Assert.Equal(32, malformed.TraceId.Length);
        Assert.Equal(("backend", "pia@trace.test"), (none.EnrichedBy, none.Email));
    }

    [Fact]
    public async Task ContextWithoutAToken_OrToAnUnknownPeer_IsRefused()
    {
        var user = await SignInAsync(_auth, _provider, "quin@trace.test");
        var trace = ActivityTraceId.CreateRandom().ToHexString();
        using var request = new HttpRequestMessage(HttpMethod.Get, "context");
        request.Headers.Add(UserContextSigner.Header, _auth.Services.GetRequiredService<UserContextSigner>().Sign(ContextOf(user, trace, "admin")));
        request.Headers.Add("traceparent", $"00-{trace}-{ActivitySpanId.CreateRandom().ToHexString()}-01");

        var anonymous = await _backend.Client.SendAsync(request, Cancel);
        var unknownPeer = await GetAsync(_auth, "context/via/billing", user.AccessToken);

        Assert.Equal(HttpStatusCode.Unauthorized, anonymous.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, unknownPeer.StatusCode);
    }

    private static EnrichedContext ContextOf(AuthEndpoints.TokenResponse user, string trace, string role) =>
        new(user.UserId, user.TenantId, user.SessionId!, "someone@trace.test", role, ["documents:read"], trace, "auth", ["auth"]);

    /// <summary>Rewrites the signed payload and keeps the signature, as an attacker without the key would have to.</summary>
    private static string Tamper(string context, string from, string to)
    {
        var parts = context.Split('.');
        var payload = System.Text.Encoding.UTF8.GetString(Microsoft.IdentityModel.Tokens.Base64UrlEncoder.DecodeBytes(parts[0])).Replace(from, to, StringComparison.Ordinal);
        return $"{Microsoft.IdentityModel.Tokens.Base64UrlEncoder.Encode(payload)}.{parts[1]}";
    }

    private Task<HttpResponseMessage> PresentAsync(AuthEndpoints.TokenResponse caller, string trace, string context) =>
        SendWithTraceAsync(_backend, "context", caller.AccessToken, $"00-{trace}-{ActivitySpanId.CreateRandom().ToHexString()}-01", null, context);

    private static async Task<HttpResponseMessage> SendWithTraceAsync(PlatformInstance to, string path, string token, string? traceParent, string? traceState, string? context = null)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        request.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", token);
        if (traceParent is not null) request.Headers.TryAddWithoutValidation("traceparent", traceParent);
        if (traceState is not null) request.Headers.TryAddWithoutValidation("tracestate", traceState);
        if (context is not null) request.Headers.TryAddWithoutValidation(UserContextSigner.Header, context);
        return await to.Client.SendAsync(request, Cancel);
    }
}
