using System.Net;
using Apex.Integration.Fakes;
using Apex.Integration.Infrastructure;
using Apex.Platform.Auth;
using Apex.Platform.Realtime;
using static Apex.Integration.Authentication.AuthApi;

namespace Apex.Integration.Authentication;

/// <summary>
/// Plan item 4: a role or team change takes effect at once. The user's open WebSocket is told
/// their new permissions, and the very next request is decided by the new role, with no wait for
/// a cache to expire. Only a tenant's admins can change roles, only in their own tenant.
/// </summary>
[PlanItem(4)]
[BusinessValue("Mid-market and Enterprise", "Access changes enforced the moment they are made",
    "Real-time permission updates prevent $10K MRR security incidents", "Immediate revocation is a compliance requirement for regulated customers")]
public sealed class PermissionCascadeTests(PermissionCascadeTests.Host host) : IClassFixture<PermissionCascadeTests.Host>
{
    private readonly FakeOAuthProvider _provider = host.Provider;
    private readonly PlatformInstance _platform = host.A;

    public sealed class Host(PostgresServer postgres, RedisServer redis) : ClassHost(postgres, redis)
    {
        protected override string Owner => "item4";

        protected override string[] Services => ["auth", "realtime", "backend"];
    }

    [Fact]
    public async Task RoleUpgrade_PushesNewPermissionsToTheOpenSocket_AndTheNextRequestIsAllowed()
    {
        var (admin, member) = await TenantAsync("upgrade.test");
        await using var socket = await WebSocketClient.ConnectAsync(_platform, member.AccessToken);
        Assert.Equal("documents:read", (await socket.ReceiveAsync()).Payload);
        Assert.Equal(HttpStatusCode.Forbidden, (await CreateDocumentAsync(member)).StatusCode);

        var change = await SetRoleAsync(admin, member.UserId, "editor");
        var next = await CreateDocumentAsync(member);

        Assert.Equal(HttpStatusCode.NoContent, change.StatusCode);
        Assert.Equal(HttpStatusCode.Created, next.StatusCode);
        var pushed = await socket.ReceiveAsync();
        Assert.Equal(("permissions-changed", "documents:read,documents:write"), (pushed.Type, pushed.Payload));
    }

    [Fact]
    public async Task RoleDowngrade_TakesAccessAwayOnTheNextRequest_AndTellsTheSocket()
    {
        var (admin, member) = await TenantAsync("downgrade.test");
        Assert.Equal(HttpStatusCode.NoContent, (await SetRoleAsync(admin, member.UserId, "admin")).StatusCode);
        await using var socket = await WebSocketClient.ConnectAsync(_platform, member.AccessToken);
        Assert.Equal("documents:read,documents:write,members:manage", (await socket.ReceiveAsync()).Payload);
        Assert.Equal(HttpStatusCode.Created, (await CreateTeamAsync(member, "made-while-admin")).StatusCode);

        Assert.Equal(HttpStatusCode.NoContent, (await SetRoleAsync(admin, member.UserId, "viewer")).StatusCode);

        Assert.Equal(HttpStatusCode.Forbidden, (await CreateTeamAsync(member, "made-after-demotion")).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await CreateDocumentAsync(member)).StatusCode);
        Assert.Equal("documents:read", (await socket.ReceiveAsync()).Payload);
    }

    [Fact]
    public async Task TeamMembership_GrantsAndRevokesThroughTheTeam_AndOnlyTheAffectedSocketIsTold()
    {
        var (admin, member) = await TenantAsync("teams.test");
        var team = await (await CreateTeamAsync(admin, "writers")).ReadAsync<TeamCreated>();
        await SendAsync(_platform, HttpMethod.Put, $"auth/admin/teams/{team.Id}/rules/documents:write", admin.AccessToken, new { effect = "allow" });
        await using var memberSocket = await WebSocketClient.ConnectAsync(_platform, member.AccessToken);
        await using var adminSocket = await WebSocketClient.ConnectAsync(_platform, admin.AccessToken);
        await memberSocket.ReceiveAsync();
        await adminSocket.ReceiveAsync();

        await SendAsync(_platform, HttpMethod.Put, $"auth/admin/teams/{team.Id}/members/{member.UserId}", admin.AccessToken);
        var allowed = await CreateDocumentAsync(member);
        var granted = await memberSocket.ReceiveAsync();
        await SendAsync(_platform, HttpMethod.Delete, $"auth/admin/teams/{team.Id}/members/{member.UserId}", admin.AccessToken);
        var refused = await CreateDocumentAsync(member);
        var revoked = await memberSocket.ReceiveAsync();

        Assert.Equal((HttpStatusCode.Created, HttpStatusCode.Forbidden), (allowed.StatusCode, refused.StatusCode));
        Assert.Equal("documents:read,documents:write", granted.Payload);
        Assert.Equal("documents:read", revoked.Payload);
        // The admin, whose access did not change, heard nothing. Proof by order: auth events are handled
        // one at a time in the order published, and a socket's pushes go out in that order, so a change
        // to the admin's own access made after both is the first thing the admin's socket hears.
        var auditors = await (await CreateTeamAsync(admin, "auditors")).ReadAsync<TeamCreated>();
        await SendAsync(_platform, HttpMethod.Put, $"auth/admin/teams/{auditors.Id}/rules/documents:write", admin.AccessToken, new { effect = "deny" });
        await SendAsync(_platform, HttpMethod.Put, $"auth/admin/teams/{auditors.Id}/members/{admin.UserId}", admin.AccessToken);
        var marker = await adminSocket.ReceiveAsync();
        Assert.Equal(("permissions-changed", "documents:read,members:manage"), (marker.Type, marker.Payload));
    }

    [Fact]
    public async Task RoleChanges_AreRefused_ToNonAdminsOtherTenantsUnknownRolesAndForTheLastAdmin()
    {
        var (admin, member) = await TenantAsync("refusals.test");
        var (outsider, _) = await TenantAsync("elsewhere.test");

        var byMember = await SetRoleAsync(member, member.UserId, "admin");
        var byOutsider = await SetRoleAsync(outsider, member.UserId, "admin");
        var unknownRole = await SetRoleAsync(admin, member.UserId, "owner");
        var lastAdmin = await SetRoleAsync(admin, admin.UserId, "viewer");

        Assert.Equal(HttpStatusCode.Forbidden, byMember.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, byOutsider.StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, unknownRole.StatusCode);
        Assert.Equal(HttpStatusCode.Conflict, lastAdmin.StatusCode);
        Assert.Equal("viewer", (await (await GetAsync(_platform, "auth/permissions", member.AccessToken)).ReadAsync<Access>()).Role);
        Assert.Equal("admin", (await (await GetAsync(_platform, "auth/permissions", admin.AccessToken)).ReadAsync<Access>()).Role);
    }

    /// <summary>A fresh tenant: its first user is its admin, the second a viewer.</summary>
    private async Task<(AuthEndpoints.TokenResponse Admin, AuthEndpoints.TokenResponse Member)> TenantAsync(string domain) =>
        (await SignInAsync(_platform, _provider, $"boss@{domain}"), await SignInAsync(_platform, _provider, $"max@{domain}"));

    private Task<HttpResponseMessage> SetRoleAsync(AuthEndpoints.TokenResponse actor, Guid userId, string role) =>
        SendAsync(_platform, HttpMethod.Put, $"auth/admin/users/{userId}/role", actor.AccessToken, new { role });

    private Task<HttpResponseMessage> CreateTeamAsync(AuthEndpoints.TokenResponse actor, string name) =>
        SendAsync(_platform, HttpMethod.Post, "auth/admin/teams", actor.AccessToken, new { name });

    private Task<HttpResponseMessage> CreateDocumentAsync(AuthEndpoints.TokenResponse actor) =>
        SendAsync(_platform, HttpMethod.Post, "api/documents", actor.AccessToken, new { title = "Plan", body = "..." });

    private sealed record TeamCreated(Guid Id);

    private sealed record Access(string Role, string Tier, string[] Permissions, string Source);
}
