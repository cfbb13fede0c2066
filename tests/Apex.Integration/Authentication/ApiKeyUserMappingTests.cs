using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using Apex.Integration.Fakes;
using Apex.Integration.Infrastructure;
using Apex.Platform.Auth;
using Apex.Platform.Auth.ApiKeys;
using Apex.Platform.Backend;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Time.Testing;
using Npgsql;
using static Apex.Integration.Authentication.AuthApi;

namespace Apex.Integration.Authentication;

/// <summary>
/// Plan item 10: a user creates API keys for automation. The key is shown once and stored only as
/// a hash; a request with it runs as its user (same tenant, same permissions); each key has its
/// own rate limit; every use, refusal included, lands in the key's audit trail.
/// </summary>
[PlanItem(10)]
[BusinessValue("Pro and Enterprise", "Service accounts for automation",
    "Service account auth worth $8K MRR automation features", "API access is what integrations and CI pipelines are built on")]
public sealed class ApiKeyUserMappingTests(ApiKeyUserMappingTests.Host host) : IClassFixture<ApiKeyUserMappingTests.Host>
{
    private readonly FakeTimeProvider _clock = host.Clock;
    private readonly FakeOAuthProvider _provider = host.Provider;
    private readonly PlatformInstance _platform = host.A;
    private readonly string _database = host.Database;

    public sealed class Host(PostgresServer postgres, RedisServer redis) : ClassHost(postgres, redis)
    {
        protected override string Owner => "item10";

        protected override string[] Services => ["auth", "backend"];
    }

    [Fact]
    public async Task ApiKey_IsShownOnceAndStoredHashed_AndActsAsItsUser()
    {
        var owner = await SignInAsync(_platform, _provider, "ops@keys-owner.test");
        var created = await CreateKeyAsync(owner, "ci", 100);
        var secret = created.Key.Split('_')[2];

        var me = await WithKeyAsync(HttpMethod.Get, "api/me", created.Key);
        var document = await WithKeyAsync(HttpMethod.Post, "api/documents", created.Key, new { title = "Nightly report" });
        var listed = await (await GetAsync(_platform, "auth/api-keys", owner.AccessToken)).Content.ReadAsStringAsync(Cancel);

        var identity = await me.ReadAsync<BackendEndpoints.MeResponse>();
        Assert.Equal((owner.UserId, owner.TenantId, $"apikey:{created.Info.Id:N}"), (identity.UserId, identity.TenantId, identity.SessionId));
        Assert.Equal(owner.UserId, (await document.ReadAsync<Document>()).OwnerId);
        Assert.DoesNotContain(secret, listed, StringComparison.Ordinal);
        Assert.Contains(created.Info.Prefix, listed, StringComparison.Ordinal);
        Assert.Equal(SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(secret)), await StoredHashAsync(created.Info.Id));
    }

    [Fact]
    public async Task WrongRevokedOrMisusedKeys_AreRefused()
    {
        var owner = await SignInAsync(_platform, _provider, "sec@keys.test");
        var other = await SignInAsync(_platform, _provider, "dev@otherkeys.test");
        var key = await CreateKeyAsync(owner, "deploy", 100);
        var wrongSecret = key.Key[..^4] + "0000";

        var guessed = await WithKeyAsync(HttpMethod.Get, "api/me", wrongSecret);
        var garbage = await WithKeyAsync(HttpMethod.Get, "api/me", "apx_nope");
        var keyMintingKeys = await WithKeyAsync(HttpMethod.Post, "auth/api-keys", key.Key, new { name = "successor" });
        var foreignRevoke = await SendAsync(_platform, HttpMethod.Delete, $"auth/api-keys/{key.Info.Id}", other.AccessToken);
        var revoke = await SendAsync(_platform, HttpMethod.Delete, $"auth/api-keys/{key.Info.Id}", owner.AccessToken);
        var afterRevoke = await WithKeyAsync(HttpMethod.Get, "api/me", key.Key);

        Assert.Equal((HttpStatusCode.Unauthorized, HttpStatusCode.Unauthorized), (guessed.StatusCode, garbage.StatusCode));
        Assert.Equal(HttpStatusCode.Forbidden, keyMintingKeys.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, foreignRevoke.StatusCode);
        Assert.Equal(HttpStatusCode.NoContent, revoke.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, afterRevoke.StatusCode);
    }

    [Fact]
    public async Task EachKeyHasItsOwnRateLimit_RefusedWithAClearAnswer_UntilTheWindowTurns()
    {
        var owner = await SignInAsync(_platform, _provider, "bot@keys.test");
        var slow = await CreateKeyAsync(owner, "slow", 2);
        var fast = await CreateKeyAsync(owner, "fast", 5);

        var slowStatuses = new List<HttpStatusCode>();
        for (var i = 0; i < 3; i++) slowStatuses.Add((await WithKeyAsync(HttpMethod.Get, "api/me", slow.Key)).StatusCode);
        var refused = await WithKeyAsync(HttpMethod.Get, "api/me", slow.Key);
        var fastMeanwhile = await WithKeyAsync(HttpMethod.Get, "api/me", fast.Key);
        _clock.Advance(TimeSpan.FromMinutes(1));
        var nextWindow = await WithKeyAsync(HttpMethod.Get, "api/me", slow.Key);

        Assert.Equal([HttpStatusCode.OK, HttpStatusCode.OK, HttpStatusCode.TooManyRequests], slowStatuses);
        Assert.Contains("This API key allows 2", await refused.DetailAsync(), StringComparison.Ordinal);
        Assert.NotNull(refused.Headers.RetryAfter);
        Assert.Equal(HttpStatusCode.OK, fastMeanwhile.StatusCode);
        Assert.Equal(HttpStatusCode.OK, nextWindow.StatusCode);
    }

    [Fact]
    public async Task EveryUseOfAKey_RefusalsIncluded_IsInItsAuditTrail()
    {
        var owner = await SignInAsync(_platform, _provider, "aud@keys.test");
        var key = await CreateKeyAsync(owner, "audited", 2);

        await WithKeyAsync(HttpMethod.Get, "api/me", key.Key);
        await WithKeyAsync(HttpMethod.Get, $"api/documents/{Guid.Empty}", key.Key);
        await WithKeyAsync(HttpMethod.Get, "api/me", key.Key);
        await SendAsync(_platform, HttpMethod.Delete, $"auth/api-keys/{key.Info.Id}", owner.AccessToken);
        var trail = await (await GetAsync(_platform, $"auth/api-keys/{key.Info.Id}/audit", owner.AccessToken)).ReadAsync<List<ApiKeyAuditEntry>>();

        Assert.Equal(
            [("created", "audited", (int?)null), ("request", "GET /api/me", 200), ("request", $"GET /api/documents/{Guid.Empty}", 404),
             ("request", "GET /api/me", 429), ("revoked", "", null)],
            trail.Select(e => (e.Action, e.Detail, e.Status)));
        Assert.Equal(HttpStatusCode.NotFound, (await GetAsync(_platform, $"auth/api-keys/{Guid.NewGuid()}/audit", owner.AccessToken)).StatusCode);
    }

    private async Task<ApiKeyEndpoints.CreatedApiKey> CreateKeyAsync(AuthEndpoints.TokenResponse owner, string name, int rate)
    {
        var response = await SendAsync(_platform, HttpMethod.Post, "auth/api-keys", owner.AccessToken, new { name, ratePerMinute = rate });
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        return await response.ReadAsync<ApiKeyEndpoints.CreatedApiKey>();
    }

    private async Task<HttpResponseMessage> WithKeyAsync(HttpMethod method, string path, string key, object? body = null)
    {
        using var request = new HttpRequestMessage(method, path);
        request.Headers.Add(ApiKeyAuthenticationHandler.HeaderName, key);
        if (body is not null) request.Content = JsonContent.Create(body);
        return await _platform.Client.SendAsync(request, Cancel);
    }

    private async Task<byte[]> StoredHashAsync(Guid keyId)
    {
        await using var connection = new NpgsqlConnection(_database);
        await connection.OpenAsync(Cancel);
        await using var command = new NpgsqlCommand("SELECT secret_hash FROM api_keys WHERE id = $1", connection);
        command.Parameters.Add(new NpgsqlParameter { Value = keyId });
        return (byte[])(await command.ExecuteScalarAsync(Cancel))!;
    }
}
