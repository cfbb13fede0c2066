using System.Net;
using System.Net.Http.Json;
using Apex.Integration.Fakes;
using Apex.Integration.Infrastructure;
using Apex.Platform.Auth;
using Apex.Platform.Auth.Client;
using Apex.Platform.Auth.Sessions;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Time.Testing;
using static Apex.Integration.Authentication.AuthApi;

namespace Apex.Integration.Authentication;

/// <summary>
/// Plan item 7: the platform's client keeps requests working across token expiry. A request whose
/// token expired in flight is answered 401, refreshed and replayed (body included); requests made
/// while a refresh is under way wait for it; parallel requests hitting the same expiry cause
/// exactly one refresh, which the server's rotating refresh tokens would punish otherwise.
/// </summary>
[PlanItem(7)]
[BusinessValue("All tiers", "Seamless sessions across token expiry",
    "Seamless UX prevents $7K MRR frustration churn", "Short-lived tokens without user-visible sign-outs")]
public sealed class TokenRefreshTests(TokenRefreshTests.Host host) : IClassFixture<TokenRefreshTests.Host>, IDisposable
{
    private readonly FakeTimeProvider _serverClock = host.Clock;
    private readonly FakeOAuthProvider _provider = host.Provider;
    private readonly PlatformInstance _platform = host.A;
    private readonly StatusLog _log = new() { InnerHandler = new SocketsHttpHandler() };
    private readonly Gate _gate = new() { InnerHandler = new SocketsHttpHandler() };
    private HttpClient? _authClient;
    private ClientTokenSession _session = null!;
    private HttpClient _client = null!;

    public sealed class Host(PostgresServer postgres, RedisServer redis) : ClassHost(postgres, redis)
    {
        protected override string Owner => "item7";

        protected override string[] Services => ["auth", "backend"];

        protected override Task<Dictionary<string, string?>> ExtraSettingsAsync() =>
            Task.FromResult(new Dictionary<string, string?> { ["Platform:Auth:AccessTokenLifetime"] = "00:01:00" });
    }

    public void Dispose()
    {
        _client?.Dispose();
        _authClient?.Dispose();
    }

    [Fact]
    public async Task TokenExpiredInFlight_IsRefreshedOnce_AndTheRequestReplayedWithItsBody()
    {
        await SignInClientAsync("amy@refresh-writer.test", clientClock: TimeProvider.System);
        _serverClock.Advance(TimeSpan.FromSeconds(61));

        var created = await _client.PostAsJsonAsync("api/documents", new { title = "Written across a refresh", body = "kept" }, Cancel);

        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        Assert.Equal("Written across a refresh", (await created.ReadAsync<Apex.Platform.Backend.Document>()).Title);
        Assert.Equal([HttpStatusCode.Unauthorized, HttpStatusCode.Created], _log.Statuses);
        Assert.Equal((1, 1L), (_session.Refreshes, await ServerRefreshCountAsync()));
    }

    [Fact]
    public async Task RequestsMadeDuringARefresh_WaitForIt_AndCarryTheNewToken()
    {
        await SignInClientAsync("bo@refresh.test", clientClock: TimeProvider.System);
        _serverClock.Advance(TimeSpan.FromSeconds(61));
        _gate.Hold();

        var first = _client.GetAsync("api/me", Cancel);
        await _gate.Arrived.Task.WaitAsync(TimeSpan.FromSeconds(10), Cancel);
        var queued = Enumerable.Range(0, 4).Select(_ => _client.GetAsync("api/me", Cancel)).ToList();
        await Eventually.TrueAsync(() => Task.FromResult(_session.Queued == 4));
        _gate.Release();
        var responses = await Task.WhenAll([first, .. queued]);

        Assert.All(responses, r => Assert.Equal(HttpStatusCode.OK, r.StatusCode));
        Assert.Equal(1, _log.Statuses.Count(s => s == HttpStatusCode.Unauthorized));
        Assert.Equal((1, 1L), (_session.Refreshes, await ServerRefreshCountAsync()));
    }

    [Fact]
    public async Task ParallelRequestsHittingTheSameExpiry_CauseExactlyOneRefresh()
    {
        await SignInClientAsync("cat@refresh.test", clientClock: TimeProvider.System);
        _serverClock.Advance(TimeSpan.FromSeconds(61));

        var responses = await Task.WhenAll(Enumerable.Range(0, 10).Select(_ => _client.GetAsync("api/me", Cancel)));

        Assert.All(responses, r => Assert.Equal(HttpStatusCode.OK, r.StatusCode));
        Assert.Equal((1, 1L), (_session.Refreshes, await ServerRefreshCountAsync()));
    }

    [Fact]
    public async Task ClientThatKnowsItsTokenExpired_RefreshesBeforeSending_WithoutA401()
    {
        await SignInClientAsync("dot@refresh.test", clientClock: _serverClock);
        _serverClock.Advance(TimeSpan.FromSeconds(61));

        var response = await _client.GetAsync("api/me", Cancel);

        Assert.Equal([HttpStatusCode.OK], _log.Statuses);
        Assert.Equal(1, _session.Refreshes);
    }

    [Fact]
    public async Task ReusedRefreshToken_IsRefused_AndEndsTheSessionItBelongsTo()
    {
        var signedIn = await SignInAsync(_platform, _provider, "eli@refresh.test");
        var rotated = await RefreshAsync(signedIn.RefreshToken!);
        Assert.Equal(HttpStatusCode.OK, rotated.StatusCode);
        var current = await rotated.ReadAsync<AuthEndpoints.TokenResponse>();

        var replay = await RefreshAsync(signedIn.RefreshToken!);
        var afterTheft = await RefreshAsync(current.RefreshToken!);
        var forged = await RefreshAsync($"{signedIn.SessionId}.not-a-token-this-session-issued");

        Assert.Equal(HttpStatusCode.Unauthorized, replay.StatusCode);
        Assert.Contains("already used", await replay.DetailAsync(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.Unauthorized, afterTheft.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await GetAsync(_platform, "api/me", current.AccessToken)).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, forged.StatusCode);
    }

    [Fact]
    public async Task SessionEndedElsewhere_RefreshFailsOnce_AndTheCallerGets401WithoutALoop()
    {
        var signedIn = await SignInClientAsync("fox@refresh.test", clientClock: TimeProvider.System);
        Assert.Equal(HttpStatusCode.NoContent, (await SendAsync(_platform, HttpMethod.Post, "auth/logout", signedIn.AccessToken)).StatusCode);

        var first = await _client.GetAsync("api/me", Cancel);
        var second = await _client.GetAsync("api/me", Cancel);

        Assert.Equal((HttpStatusCode.Unauthorized, HttpStatusCode.Unauthorized), (first.StatusCode, second.StatusCode));
        Assert.Equal(1, _session.Refreshes);
        Assert.Single(_log.Statuses);
    }

    private async Task<AuthEndpoints.TokenResponse> SignInClientAsync(string email, TimeProvider clientClock)
    {
        var signedIn = await SignInAsync(_platform, _provider, email);
        _authClient = new HttpClient(_gate) { BaseAddress = _platform.BaseAddress };
        _session = new ClientTokenSession(_authClient, clientClock, signedIn);
        _client = new HttpClient(new TokenRefreshHandler(_session) { InnerHandler = _log }) { BaseAddress = _platform.BaseAddress };
        return signedIn;
    }

    private Task<HttpResponseMessage> RefreshAsync(string refreshToken) =>
        SendAsync(_platform, HttpMethod.Post, "auth/token/refresh", null, new { refreshToken });

    private async Task<long> ServerRefreshCountAsync() =>
        (await (await GetAsync(_platform, "auth/sessions/current", _session.Current.AccessToken)).ReadAsync<SessionEndpoints.CurrentSession>()).RefreshCount;

    /// <summary>The client's view of the network: every status the platform answered, in order.</summary>
    private sealed class StatusLog : DelegatingHandler
    {
        private readonly System.Collections.Concurrent.ConcurrentQueue<HttpStatusCode> _statuses = new();

        public IReadOnlyList<HttpStatusCode> Statuses => [.. _statuses];

        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            var response = await base.SendAsync(request, cancellationToken);
            _statuses.Enqueue(response.StatusCode);
            return response;
        }
    }

    /// <summary>A slow network on the way to the auth service: holds requests until released, says when one arrived.</summary>
    private sealed class Gate : DelegatingHandler
    {
        private TaskCompletionSource _open = CompletedSource();

        public TaskCompletionSource Arrived { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public void Hold() => _open = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);

        public void Release() => _open.TrySetResult();

        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            Arrived.TrySetResult();
            await _open.Task.WaitAsync(cancellationToken);
            return await base.SendAsync(request, cancellationToken);
        }

        private static TaskCompletionSource CompletedSource()
        {
            var source = new TaskCompletionSource();
            source.SetResult();
            return source;
        }
    }
}
