using System.Net;
using Apex.Integration.Fakes;
using Apex.Integration.Infrastructure;
using Apex.Platform.Auth;
using Npgsql;
using static Apex.Integration.Authentication.AuthApi;

namespace Apex.Integration.Authentication;

/// <summary>
/// Plan item 9: teams nest; a member inherits the rules of their teams and every ancestor; the
/// nearest rule wins (a sub-team can deny what a parent allows, or re-allow what it denies), a
/// deny wins between rules at the same distance, and the role is the base. PostgreSQL computes the
/// effective set (effective_permissions), and moving a team re-computes its members' at once.
/// </summary>
[PlanItem(9)]
[BusinessValue("Enterprise", "Model an organisation's structure in access control",
    "Enterprise team features worth $15K MRR", "Org-chart permissions are a gate for large-account deals")]
public sealed class TeamPermissionInheritanceTests(TeamPermissionInheritanceTests.Host host) : IClassFixture<TeamPermissionInheritanceTests.Host>, IAsyncLifetime
{
    private readonly FakeOAuthProvider _provider = host.Provider;
    private readonly PlatformInstance _platform = host.A;
    private readonly string _database = host.Database;
    private readonly string _domain = $"org{Guid.NewGuid():N}.test";
    private AuthEndpoints.TokenResponse _admin = null!;

    public sealed class Host(PostgresServer postgres, RedisServer redis) : ClassHost(postgres, redis)
    {
        protected override string Owner => "item9";

        protected override string[] Services => ["auth", "backend"];
    }

    /// <summary>Each test gets a tenant of its own, whose first user (its admin) builds the org chart.</summary>
    public async ValueTask InitializeAsync() => _admin = await SignInAsync(_platform, _provider, $"cto@{_domain}");

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;

    [Fact]
    public async Task NestedTeams_PassTheirGrantsDown_NeverUp()
    {
        var (engineering, _, sre) = await OrgChartAsync();
        var sreEngineer = await MemberOfAsync($"sre@{_domain}", sre);
        var engineer = await MemberOfAsync($"dev@{_domain}", engineering);

        Assert.Equal(["deploy:production", "deploy:staging", "documents:read"], await PermissionsAsync(sreEngineer));
        Assert.Equal(["billing:read", "deploy:staging", "documents:read"], await PermissionsAsync(engineer));
    }

    [Fact]
    public async Task NearestRuleWins_ASubTeamDeniesOrReAllows_AndADenyWinsAtTheSameDistance()
    {
        var (engineering, platform, sre) = await OrgChartAsync();
        await RuleAsync(platform, "deploy:staging", "deny");
        await RuleAsync(sre, "deploy:staging", "allow");
        var auditors = await TeamAsync("auditors", null);
        await RuleAsync(auditors, "deploy:production", "deny");
        var platformEngineer = await MemberOfAsync($"plat@{_domain}", platform);
        var sreEngineer = await MemberOfAsync($"sre@{_domain}", sre);
        var twoHats = await MemberOfAsync($"both@{_domain}", platform, auditors);

        Assert.DoesNotContain("deploy:staging", await PermissionsAsync(platformEngineer));
        Assert.Contains("deploy:staging", await PermissionsAsync(sreEngineer));
        Assert.DoesNotContain("billing:read", await PermissionsAsync(sreEngineer));
        Assert.DoesNotContain("deploy:production", await PermissionsAsync(twoHats));
        Assert.Contains("billing:read", await PermissionsAsync(await MemberOfAsync($"eng@{_domain}", engineering)));
    }

    [Fact]
    public async Task ATeamRuleOverridesTheRole_ADenyTakesARolePermissionAway()
    {
        var quarantine = await TeamAsync("quarantine", null);
        await RuleAsync(quarantine, "documents:read", "deny");
        var member = await MemberOfAsync($"q@{_domain}", quarantine);

        Assert.Empty(await PermissionsAsync(member));
        Assert.Equal(HttpStatusCode.Forbidden, (await GetAsync(_platform, "api/documents", member.AccessToken)).StatusCode);
    }

    [Fact]
    public async Task EffectivePermissions_AreComputedByPostgres_ExactlyAsTheApiAnswers()
    {
        var (_, _, sre) = await OrgChartAsync();
        var member = await MemberOfAsync($"sql@{_domain}", sre);

        await using var connection = new NpgsqlConnection(_database);
        await connection.OpenAsync(Cancel);
        await using var command = new NpgsqlCommand("SELECT permission FROM effective_permissions($1)", connection);
        command.Parameters.Add(new NpgsqlParameter { Value = member.UserId });
        var computed = new List<string>();
        await using (var reader = await command.ExecuteReaderAsync(Cancel))
        {
            while (await reader.ReadAsync(Cancel)) computed.Add(reader.GetString(0));
        }

        Assert.Equal(await PermissionsAsync(member), computed);
    }

    [Fact]
    public async Task MovingATeam_RecomputesItsMembersInheritedPermissionsAtOnce()
    {
        var (engineering, _, sre) = await OrgChartAsync();
        var member = await MemberOfAsync($"mover@{_domain}", sre);
        Assert.Contains("deploy:production", await PermissionsAsync(member));

        var move = await SendAsync(_platform, HttpMethod.Put, $"auth/admin/teams/{sre}/parent", _admin.AccessToken, new { parentId = engineering });

        Assert.Equal(HttpStatusCode.NoContent, move.StatusCode);
        Assert.Equal(["deploy:staging", "documents:read"], await PermissionsAsync(member));
    }

    [Fact]
    public async Task CyclesUnknownParentsAndDuplicateNames_AreRefused()
    {
        var (engineering, _, sre) = await OrgChartAsync();

        var cycle = await SendAsync(_platform, HttpMethod.Put, $"auth/admin/teams/{engineering}/parent", _admin.AccessToken, new { parentId = sre });
        var self = await SendAsync(_platform, HttpMethod.Put, $"auth/admin/teams/{sre}/parent", _admin.AccessToken, new { parentId = sre });
        var orphan = await SendAsync(_platform, HttpMethod.Post, "auth/admin/teams", _admin.AccessToken, new { name = "orphan", parentId = Guid.NewGuid() });
        var duplicate = await SendAsync(_platform, HttpMethod.Post, "auth/admin/teams", _admin.AccessToken, new { name = "engineering" });
        var badEffect = await SendAsync(_platform, HttpMethod.Put, $"auth/admin/teams/{sre}/rules/x:y", _admin.AccessToken, new { effect = "maybe" });

        Assert.Equal(HttpStatusCode.Conflict, cycle.StatusCode);
        Assert.Equal(HttpStatusCode.Conflict, self.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, orphan.StatusCode);
        Assert.Equal(HttpStatusCode.Conflict, duplicate.StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, badEffect.StatusCode);
    }

    /// <summary>engineering (allows deploy:staging, billing:read) > platform (allows deploy:production) > sre (denies billing:read).</summary>
    private async Task<(Guid Engineering, Guid Platform, Guid Sre)> OrgChartAsync()
    {
        var engineering = await TeamAsync("engineering", null);
        var platform = await TeamAsync("platform", engineering);
        var sre = await TeamAsync("sre", platform);
        await RuleAsync(engineering, "deploy:staging", "allow");
        await RuleAsync(engineering, "billing:read", "allow");
        await RuleAsync(platform, "deploy:production", "allow");
        await RuleAsync(sre, "billing:read", "deny");
        return (engineering, platform, sre);
    }

    private async Task<Guid> TeamAsync(string name, Guid? parentId)
    {
        var response = await SendAsync(_platform, HttpMethod.Post, "auth/admin/teams", _admin.AccessToken, new { name, parentId });
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        return (await response.ReadAsync<TeamCreated>()).Id;
    }

    private async Task RuleAsync(Guid team, string permission, string effect) =>
        Assert.Equal(HttpStatusCode.NoContent, (await SendAsync(_platform, HttpMethod.Put, $"auth/admin/teams/{team}/rules/{permission}", _admin.AccessToken, new { effect })).StatusCode);

    private async Task<AuthEndpoints.TokenResponse> MemberOfAsync(string email, params Guid[] teams)
    {
        var member = await SignInAsync(_platform, _provider, email);
        foreach (var team in teams)
        {
            Assert.Equal(HttpStatusCode.NoContent, (await SendAsync(_platform, HttpMethod.Put, $"auth/admin/teams/{team}/members/{member.UserId}", _admin.AccessToken)).StatusCode);
        }

        return member;
    }

    private async Task<string[]> PermissionsAsync(AuthEndpoints.TokenResponse user) =>
        (await (await GetAsync(_platform, "auth/permissions", user.AccessToken)).ReadAsync<Access>()).Permissions;

    private sealed record TeamCreated(Guid Id);

    private sealed record Access(string[] Permissions);
}
