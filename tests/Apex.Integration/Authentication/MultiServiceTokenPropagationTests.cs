using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using Apex.Integration.Fakes;
using Apex.Integration.Infrastructure;
using Apex.Platform.Auth;
using Apex.Platform.Backend;
using Npgsql;

namespace Apex.Integration.Authentication;

/// <summary>
/// Plan item 2: the auth, backend, realtime and agent services run as separate instances sharing
/// PostgreSQL and Redis. A token the auth service issues is accepted by the others; tenants never
/// see each other's data; a revoked token stops working in every service at once.
/// </summary>
[PlanItem(2)]
[BusinessValue("Enterprise", "SOC2 compliance across services",
    "Prevents $20K MRR data leakage", "Tenant isolation is a precondition for enterprise contracts")]
public sealed class MultiServiceTokenPropagationTests(PostgresServer postgres, RedisServer redis) : IAsyncLifetime
{
    private readonly List<PlatformInstance> _instances = [];
    private FakeOAuthProvider _provider = null!;
    private string _database = string.Empty;
    private PlatformInstance _auth = null!;
    private PlatformInstance _backend = null!;
    private PlatformInstance _realtime = null!;
    private PlatformInstance _agents = null!;

    public async ValueTask InitializeAsync()
    {
        _provider = await FakeOAuthProvider.StartNewAsync();
        _database = await postgres.CreateDatabaseAsync(nameof(MultiServiceTokenPropagationTests));
        var prefix = RedisServer.NewKeyPrefix("item2");
        _auth = await StartAsync(prefix, "auth");
        _backend = await StartAsync(prefix, "backend");
        _realtime = await StartAsync(prefix, "realtime");
        _agents = await StartAsync(prefix, "agents");
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var instance in _instances) await instance.DisposeAsync();
        await _provider.DisposeAsync();
    }

    [Fact]
    public async Task TokenFromAuthService_IsAcceptedByBackendRealtimeAndAgents()
    {
        var token = await SignInAsync("okta|1", "lin@acme.test");

        var me = await SendAsync(_backend, HttpMethod.Get, "api/me", token);
        var runs = await SendAsync(_agents, HttpMethod.Get, "api/agents/runs", token);
        await using var socket = await WebSocketClient.ConnectAsync(_realtime, token.AccessToken);

        Assert.Equal(HttpStatusCode.OK, me.StatusCode);
        var body = (await me.Content.ReadFromJsonAsync<BackendEndpoints.MeResponse>(TestContext.Current.CancellationToken))!;
        Assert.Equal((token.UserId, token.TenantId, "lin@acme.test"), (body.UserId, body.TenantId, body.Email));
        Assert.Equal(HttpStatusCode.OK, runs.StatusCode);
        Assert.Equal(token.UserId, (await socket.ReceiveAsync()).UserId);
    }

    [Fact]
    public async Task UserContext_IsPersistedInPostgres_WithTheTenantOfTheEmailDomain()
    {
        var first = await SignInAsync("okta|2", "kim@globex.test");
        var second = await SignInAsync("okta|3", "lee@globex.test");

        await using var connection = new NpgsqlConnection(_database);
        await connection.OpenAsync(TestContext.Current.CancellationToken);
        await using var command = new NpgsqlCommand(
            "SELECT u.email, t.domain FROM users u JOIN tenants t ON t.id = u.tenant_id WHERE u.id = $1", connection);
        command.Parameters.Add(new NpgsqlParameter { Value = first.UserId });
        await using var reader = await command.ExecuteReaderAsync(TestContext.Current.CancellationToken);

        Assert.True(await reader.ReadAsync(TestContext.Current.CancellationToken));
        Assert.Equal(("kim@globex.test", "globex.test"), (reader.GetString(0), reader.GetString(1)));
        Assert.Equal(first.TenantId, second.TenantId);
        Assert.NotEqual(first.UserId, second.UserId);
    }

    [Fact]
    public async Task TokenOfOneTenant_CannotReadAnotherTenantsData()
    {
        var acme = await SignInAsync("okta|4", "ann@initech.test");
        var rival = await SignInAsync("okta|5", "bob@umbrella.test");
        var created = await SendAsync(_backend, HttpMethod.Post, "api/documents", acme, new { title = "Q3 pricing", body = "secret" });
        var document = (await created.Content.ReadFromJsonAsync<Document>(TestContext.Current.CancellationToken))!;

        var byRival = await SendAsync(_backend, HttpMethod.Get, $"api/documents/{document.Id}", rival);
        var rivalList = await (await SendAsync(_backend, HttpMethod.Get, "api/documents", rival)).Content
            .ReadFromJsonAsync<List<Document>>(TestContext.Current.CancellationToken);
        var byOwner = await SendAsync(_backend, HttpMethod.Get, $"api/documents/{document.Id}", acme);

        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, byRival.StatusCode);
        Assert.Empty(rivalList!);
        Assert.Equal(HttpStatusCode.OK, byOwner.StatusCode);
    }

    [Fact]
    public async Task RevokedToken_StopsWorkingInEveryService()
    {
        var token = await SignInAsync("okta|6", "cy@hooli.test");
        var other = await SignInAsync("okta|7", "di@hooli.test");
        Assert.Equal(HttpStatusCode.OK, (await SendAsync(_backend, HttpMethod.Get, "api/me", token)).StatusCode);

        var logout = await SendAsync(_auth, HttpMethod.Post, "auth/logout", token);

        Assert.Equal(HttpStatusCode.NoContent, logout.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await SendAsync(_backend, HttpMethod.Get, "api/me", token)).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await SendAsync(_agents, HttpMethod.Get, "api/agents/runs", token)).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, await WebSocketClient.RefusedHandshakeAsync(_realtime, token.AccessToken));
        Assert.Equal(HttpStatusCode.OK, (await SendAsync(_backend, HttpMethod.Get, "api/me", other)).StatusCode);
    }

    [Fact]
    public async Task RequestWithoutToken_IsRefusedByEveryService()
    {
        Assert.Equal(HttpStatusCode.Unauthorized, (await _backend.Client.GetAsync("api/me", TestContext.Current.CancellationToken)).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await _agents.Client.GetAsync("api/agents/runs", TestContext.Current.CancellationToken)).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await _auth.Client.PostAsync("auth/logout", null, TestContext.Current.CancellationToken)).StatusCode);
    }

    private async Task<PlatformInstance> StartAsync(string prefix, string service)
    {
        var instance = await PlatformInstance.StartAsync(new PlatformSettings(_database, redis.ConnectionString, prefix)
        {
            Services = [service],
            Extra = new Dictionary<string, string?>
            {
                ["Platform:OAuth:BaseUrl"] = _provider.BaseAddress.ToString(),
                ["Platform:OAuth:ClientId"] = FakeOAuthProvider.ClientId,
                ["Platform:OAuth:ClientSecret"] = FakeOAuthProvider.ClientSecret,
                ["Platform:OAuth:RedirectUri"] = "https://app.apex.test/auth/callback",
                ["Platform:Llm:Endpoint"] = "http://127.0.0.1:9/v1",
                ["Platform:Llm:ApiKey"] = "unused",
                ["Platform:Llm:Model"] = "unused",
            },
        });
        _instances.Add(instance);
        return instance;
    }

    private async Task<AuthEndpoints.TokenResponse> SignInAsync(string subject, string email)
    {
        var code = _provider.IssueCode(subject, email, email);
        var response = await _auth.Client.GetAsync($"auth/oauth/callback?code={code}", TestContext.Current.CancellationToken);
        response.EnsureSuccessStatusCode();
        return (await response.Content.ReadFromJsonAsync<AuthEndpoints.TokenResponse>(TestContext.Current.CancellationToken))!;
    }

    private static async Task<HttpResponseMessage> SendAsync(PlatformInstance service, HttpMethod method, string path, AuthEndpoints.TokenResponse token, object? body = null)
    {
        using var request = new HttpRequestMessage(method, path);
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token.AccessToken);
        if (body is not null) request.Content = JsonContent.Create(body);
        return await service.Client.SendAsync(request, TestContext.Current.CancellationToken);
    }
}
