using System.Net;
using Apex.Integration.Fakes;
using Apex.Integration.Infrastructure;
using Apex.Platform.Auth;
using Apex.Platform.Realtime;
using Npgsql;
using static Apex.Integration.Authentication.AuthApi;

namespace Apex.Integration.Authentication;

/// <summary>
/// Plan item 12: two instances, each with its own in-process access cache. A logout on one is
/// published over Redis pub/sub and the other closes that session's sockets; a permission change
/// on one makes the other's cached grant stale at its very next request (tenant version stamp in
/// Redis) and its sockets hear of it; the cache is real, and coherent under a stream of changes.
/// </summary>
[PlanItem(12)]
[BusinessValue("All tiers", "Security changes reach every instance at once",
    "Security updates worth $12K MRR breach prevention", "Caching for speed without stale authorization")]
public sealed class AuthCacheInvalidationTests(AuthCacheInvalidationTests.Host host) : IClassFixture<AuthCacheInvalidationTests.Host>
{
    private readonly FakeOAuthProvider _provider = host.Provider;
    private readonly PlatformInstance _a = host.A;
    private readonly PlatformInstance _b = host.B;
    private readonly string _database = host.Database;

    public sealed class Host(PostgresServer postgres, RedisServer redis) : ClassHost(postgres, redis)
    {
        protected override string Owner => "item12";

        protected override string[] Services => ["auth", "realtime", "backend"];

        protected override bool TwoInstances => true;
    }

    [Fact]
    public async Task LogoutOnOneInstance_ClosesThatSessionsSocketOnTheOther_AndOnlyThatOne()
    {
        var phone = await SignInAsync(_a, _provider, "ada@cache.test", "phone");
        var laptop = await SignInAsync(_a, _provider, "ada@cache.test", "laptop");
        await using var phoneSocket = await WebSocketClient.ConnectAsync(_b, phone.AccessToken);
        await using var laptopSocket = await WebSocketClient.ConnectAsync(_b, laptop.AccessToken);
        await phoneSocket.ReceiveAsync();
        await laptopSocket.ReceiveAsync();

        Assert.Equal(HttpStatusCode.NoContent, (await SendAsync(_a, HttpMethod.Post, "auth/logout", phone.AccessToken)).StatusCode);

        var notice = await phoneSocket.ReceiveAsync();
        Assert.Equal(("session-ended", "logout"), (notice.Type, notice.Payload));
        Assert.Equal(RealtimeConnection.SessionEndedStatus, await phoneSocket.ReceiveCloseAsync());
        Assert.Equal(HttpStatusCode.Unauthorized, await WebSocketClient.RefusedHandshakeAsync(_b, phone.AccessToken));
        await laptopSocket.SendAsync(new RealtimeMessage("echo", "unaffected"));
        Assert.Equal("unaffected", (await laptopSocket.ReceiveAsync()).Payload);
    }

    [Fact]
    public async Task PermissionChangeOnOneInstance_MakesTheOthersCacheStale_AtItsNextRequest_AndTellsItsSockets()
    {
        var (admin, member) = await TenantAsync("change.test");
        await using var socket = await WebSocketClient.ConnectAsync(_b, member.AccessToken);
        await socket.ReceiveAsync();
        Assert.Equal(("cache", "viewer"), await AccessOnAsync(_b, member));

        Assert.Equal(HttpStatusCode.NoContent, (await SetRoleAsync(_a, admin, member.UserId, "editor")).StatusCode);

        // B's very next request sees the new role. Whether that request or B's handling of the
        // change notice (which tells the socket below) reloads the grant first is a race, so the
        // source of this one answer is not asserted; a stale cache would answer ("cache", "viewer").
        Assert.Equal("editor", (await AccessOnAsync(_b, member)).Role);
        Assert.Equal(("cache", "editor"), await AccessOnAsync(_b, member));
        Assert.Equal("documents:read,documents:write", (await socket.ReceiveAsync()).Payload);
    }

    [Fact]
    public async Task TheCacheIsReal_AWriteBehindThePlatformsBackIsNotSeen_UntilThePlatformAnnouncesAChange()
    {
        var (admin, member) = await TenantAsync("bypass.test");
        Assert.Equal(("cache", "viewer"), await AccessOnAsync(_b, member));

        await using (var connection = new NpgsqlConnection(_database))
        {
            await connection.OpenAsync(Cancel);
            await using var command = new NpgsqlCommand("UPDATE user_roles SET role = 'editor' WHERE user_id = $1", connection);
            command.Parameters.Add(new NpgsqlParameter { Value = member.UserId });
            Assert.Equal(1, await command.ExecuteNonQueryAsync(Cancel));
        }

        var beforeAnnouncement = await AccessOnAsync(_b, member);
        Assert.Equal(HttpStatusCode.Created, (await SendAsync(_a, HttpMethod.Post, "auth/admin/teams", admin.AccessToken, new { name = "any change" })).StatusCode);
        var afterAnnouncement = await AccessOnAsync(_b, member);

        Assert.Equal(("cache", "viewer"), beforeAnnouncement);
        Assert.Equal(("database", "editor"), afterAnnouncement);
    }

    [Fact]
    public async Task AStreamOfChangesThroughBothInstances_LeavesBothAgreeingAfterEveryChange()
    {
        var (admin, member) = await TenantAsync("stream.test");
        string[] roles = ["editor", "viewer", "admin", "editor", "viewer", "editor", "admin", "viewer", "editor", "viewer"];

        var seen = new List<(string, string)>();
        for (var i = 0; i < roles.Length; i++)
        {
            Assert.Equal(HttpStatusCode.NoContent, (await SetRoleAsync(i % 2 == 0 ? _a : _b, admin, member.UserId, roles[i])).StatusCode);
            seen.Add(((await AccessOnAsync(_a, member)).Role, (await AccessOnAsync(_b, member)).Role));
        }

        Assert.Equal(roles.Select(r => (r, r)), seen);
    }

    private async Task<(AuthEndpoints.TokenResponse Admin, AuthEndpoints.TokenResponse Member)> TenantAsync(string domain)
    {
        var admin = await SignInAsync(_a, _provider, $"boss@{domain}");
        var member = await SignInAsync(_a, _provider, $"max@{domain}");
        await AccessOnAsync(_b, member);
        return (admin, member);
    }

    private static Task<HttpResponseMessage> SetRoleAsync(PlatformInstance on, AuthEndpoints.TokenResponse admin, Guid userId, string role) =>
        SendAsync(on, HttpMethod.Put, $"auth/admin/users/{userId}/role", admin.AccessToken, new { role });

    private static async Task<(string Source, string Role)> AccessOnAsync(PlatformInstance on, AuthEndpoints.TokenResponse user)
    {
        var access = await (await GetAsync(on, "auth/permissions", user.AccessToken)).ReadAsync<Access>();
        return (access.Source, access.Role);
    }

    private sealed record Access(string Role, string Source);
}
