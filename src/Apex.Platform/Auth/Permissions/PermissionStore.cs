using Npgsql;

namespace Apex.Platform.Auth.Permissions;

public enum ChangeResult { Done, NotFound, Conflict }

/// <summary>
/// Roles, teams, team rules and tiers in PostgreSQL. Every write is scoped by the acting admin's
/// tenant: a user or team of another tenant is reported as not found.
/// </summary>
public sealed class PermissionStore(NpgsqlDataSource dataSource)
{
    /// <summary>The first user of a tenant becomes its admin; everyone after starts as a viewer.</summary>
    public async Task EnsureRoleAsync(PlatformUser user, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        // Two first users signing in at once must not both become admin.
        await ExecuteAsync(connection, "SELECT pg_advisory_xact_lock(hashtext($1::text))", [user.TenantId], cancellationToken);
        await ExecuteAsync(connection, """
            INSERT INTO user_roles (user_id, role)
            SELECT $1, CASE WHEN EXISTS (SELECT 1 FROM user_roles r JOIN users u ON u.id = r.user_id WHERE u.tenant_id = $2 AND r.role = 'admin')
                            THEN 'viewer' ELSE 'admin' END
            ON CONFLICT (user_id) DO NOTHING
            """, [user.Id, user.TenantId], cancellationToken);
        await transaction.CommitAsync(cancellationToken);
    }

    /// <summary>Effective permissions (computed by PostgreSQL), role and tier of one user, in one round trip.</summary>
    public async Task<AccessGrant> LoadAsync(Guid userId, Guid tenantId, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand("""
            SELECT ARRAY(SELECT permission FROM effective_permissions($1)),
                   coalesce((SELECT role FROM user_roles WHERE user_id = $1), 'viewer'),
                   coalesce((SELECT tier FROM tenant_tiers WHERE tenant_id = $2), 'free')
            """);
        command.Parameters.Add(new NpgsqlParameter { Value = userId });
        command.Parameters.Add(new NpgsqlParameter { Value = tenantId });
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        await reader.ReadAsync(cancellationToken);
        return new AccessGrant(reader.GetFieldValue<string[]>(0), reader.GetString(1), reader.GetString(2), AccessSource.Database);
    }

    /// <summary>Changes a user's role; refuses to leave a tenant without an admin.</summary>
    public async Task<ChangeResult> SetRoleAsync(Guid tenantId, Guid userId, string role, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        await ExecuteAsync(connection, "SELECT pg_advisory_xact_lock(hashtext($1::text))", [tenantId], cancellationToken);
        var otherAdmins = await ScalarAsync<long?>(connection, """
            SELECT count(*) FILTER (WHERE r.role = 'admin' AND u.id <> $2) FROM users u LEFT JOIN user_roles r ON r.user_id = u.id
            WHERE u.tenant_id = $1 HAVING bool_or(u.id = $2)
            """, [tenantId, userId], cancellationToken);
        if (otherAdmins is null) return ChangeResult.NotFound;
        var currentRole = await ScalarAsync<string?>(connection, "SELECT role FROM user_roles WHERE user_id = $1", [userId], cancellationToken);
        if (currentRole == "admin" && role != "admin" && otherAdmins == 0) return ChangeResult.Conflict;
        await ExecuteAsync(connection, """
            INSERT INTO user_roles (user_id, role) VALUES ($1, $2) ON CONFLICT (user_id) DO UPDATE SET role = EXCLUDED.role
            """, [userId, role], cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return ChangeResult.Done;
    }

    public async Task<Guid?> CreateTeamAsync(Guid tenantId, string name, Guid? parentId, CancellationToken cancellationToken)
    {
        if (parentId is { } parent && !await TeamExistsAsync(tenantId, parent, cancellationToken)) return null;
        var id = Guid.NewGuid();
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        var inserted = await ExecuteAsync(connection,
            "INSERT INTO teams (id, tenant_id, name, parent_id) VALUES ($1, $2, $3, $4) ON CONFLICT (tenant_id, name) DO NOTHING",
            [id, tenantId, name, parentId is null ? DBNull.Value : parentId.Value], cancellationToken);
        return inserted == 1 ? id : Guid.Empty;
    }

    /// <summary>Moves a team under another; refuses a move that would make a team its own ancestor.</summary>
    public async Task<ChangeResult> SetParentAsync(Guid tenantId, Guid teamId, Guid? parentId, CancellationToken cancellationToken)
    {
        if (!await TeamExistsAsync(tenantId, teamId, cancellationToken)) return ChangeResult.NotFound;
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        await ExecuteAsync(connection, "SELECT pg_advisory_xact_lock(hashtext($1::text))", [tenantId], cancellationToken);
        if (parentId is { } parent)
        {
            if (!await TeamExistsAsync(tenantId, parent, cancellationToken)) return ChangeResult.NotFound;
            var cycle = await ScalarAsync<bool>(connection, """
                WITH RECURSIVE up (id, parent_id) AS (
                    SELECT id, parent_id FROM teams WHERE id = $1
                    UNION SELECT t.id, t.parent_id FROM teams t JOIN up ON t.id = up.parent_id)
                SELECT EXISTS (SELECT 1 FROM up WHERE id = $2)
                """, [parent, teamId], cancellationToken);
            if (cycle) return ChangeResult.Conflict;
        }

        await ExecuteAsync(connection, "UPDATE teams SET parent_id = $2 WHERE id = $1",
            [teamId, parentId is null ? DBNull.Value : parentId.Value], cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return ChangeResult.Done;
    }

    public async Task<ChangeResult> SetMemberAsync(Guid tenantId, Guid teamId, Guid userId, bool member, CancellationToken cancellationToken)
    {
        if (!await TeamExistsAsync(tenantId, teamId, cancellationToken) || !await UserInTenantAsync(tenantId, userId, cancellationToken))
        {
            return ChangeResult.NotFound;
        }

        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await ExecuteAsync(connection, member
            ? "INSERT INTO team_members (team_id, user_id) VALUES ($1, $2) ON CONFLICT DO NOTHING"
            : "DELETE FROM team_members WHERE team_id = $1 AND user_id = $2", [teamId, userId], cancellationToken);
        return ChangeResult.Done;
    }

    /// <summary>Sets a team's rule for a permission ("allow" or "deny"), or removes it (null).</summary>
    public async Task<ChangeResult> SetRuleAsync(Guid tenantId, Guid teamId, string permission, string? effect, CancellationToken cancellationToken)
    {
        if (!await TeamExistsAsync(tenantId, teamId, cancellationToken)) return ChangeResult.NotFound;
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await ExecuteAsync(connection, effect is null
            ? "DELETE FROM team_rules WHERE team_id = $1 AND permission = $2"
            : "INSERT INTO team_rules (team_id, permission, effect) VALUES ($1, $2, $3) ON CONFLICT (team_id, permission) DO UPDATE SET effect = EXCLUDED.effect",
            effect is null ? [teamId, permission] : [teamId, permission, effect], cancellationToken);
        return ChangeResult.Done;
    }

    public async Task SetTierAsync(Guid tenantId, string tier, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await ExecuteAsync(connection, "INSERT INTO tenant_tiers (tenant_id, tier) VALUES ($1, $2) ON CONFLICT (tenant_id) DO UPDATE SET tier = EXCLUDED.tier",
            [tenantId, tier], cancellationToken);
    }

    private async Task<bool> TeamExistsAsync(Guid tenantId, Guid teamId, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        return await ScalarAsync<bool>(connection, "SELECT EXISTS (SELECT 1 FROM teams WHERE id = $1 AND tenant_id = $2)", [teamId, tenantId], cancellationToken);
    }

    private async Task<bool> UserInTenantAsync(Guid tenantId, Guid userId, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        return await ScalarAsync<bool>(connection, "SELECT EXISTS (SELECT 1 FROM users WHERE id = $1 AND tenant_id = $2)", [userId, tenantId], cancellationToken);
    }

    private static async Task<int> ExecuteAsync(NpgsqlConnection connection, string sql, object[] values, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand(sql, connection);
        foreach (var value in values) command.Parameters.Add(new NpgsqlParameter { Value = value });
        return await command.ExecuteNonQueryAsync(cancellationToken);
    }

    private static async Task<T> ScalarAsync<T>(NpgsqlConnection connection, string sql, object[] values, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand(sql, connection);
        foreach (var value in values) command.Parameters.Add(new NpgsqlParameter { Value = value });
        var result = await command.ExecuteScalarAsync(cancellationToken);
        return result is null or DBNull ? default! : (T)result;
    }
}
