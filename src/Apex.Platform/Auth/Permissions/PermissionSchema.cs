namespace Apex.Platform.Auth.Permissions;

/// <summary>
/// Roles, teams and team rules, and the function that computes a user's effective permissions
/// inside PostgreSQL, in one query, so every service gets the same answer.
/// </summary>
public static class PermissionSchema
{
    public const string Roles = "viewer,editor,admin";

    public const string Sql = """
        CREATE TABLE IF NOT EXISTS role_permissions (
            role text NOT NULL,
            permission text NOT NULL,
            PRIMARY KEY (role, permission));
        INSERT INTO role_permissions (role, permission) VALUES
            ('viewer', 'documents:read'),
            ('editor', 'documents:read'), ('editor', 'documents:write'),
            ('admin', 'documents:read'), ('admin', 'documents:write'), ('admin', 'members:manage')
            ON CONFLICT DO NOTHING;
        CREATE TABLE IF NOT EXISTS user_roles (
            user_id uuid PRIMARY KEY REFERENCES users(id),
            role text NOT NULL CHECK (role IN ('viewer', 'editor', 'admin')));
        CREATE TABLE IF NOT EXISTS teams (
            id uuid PRIMARY KEY,
            tenant_id uuid NOT NULL REFERENCES tenants(id),
            name text NOT NULL,
            parent_id uuid REFERENCES teams(id),
            UNIQUE (tenant_id, name));
        CREATE TABLE IF NOT EXISTS team_members (
            team_id uuid NOT NULL REFERENCES teams(id) ON DELETE CASCADE,
            user_id uuid NOT NULL REFERENCES users(id),
            PRIMARY KEY (team_id, user_id));
        CREATE TABLE IF NOT EXISTS team_rules (
            team_id uuid NOT NULL REFERENCES teams(id) ON DELETE CASCADE,
            permission text NOT NULL,
            effect text NOT NULL CHECK (effect IN ('allow', 'deny')),
            PRIMARY KEY (team_id, permission));
        CREATE TABLE IF NOT EXISTS tenant_tiers (
            tenant_id uuid PRIMARY KEY REFERENCES tenants(id),
            tier text NOT NULL);
        -- The most specific rule wins: the user's own teams (depth 0) over their parents, any team
        -- over the role, which is the base. Between rules at the same depth a deny wins. The path
        -- array stops a cycle that slipped in from walking forever.
        CREATE OR REPLACE FUNCTION effective_permissions(target uuid) RETURNS TABLE (permission text)
        LANGUAGE sql STABLE AS $fn$
            WITH RECURSIVE chain (team_id, parent_id, depth, path) AS (
                SELECT t.id, t.parent_id, 0, ARRAY[t.id]
                FROM team_members m JOIN teams t ON t.id = m.team_id WHERE m.user_id = target
                UNION ALL
                SELECT p.id, p.parent_id, c.depth + 1, c.path || p.id
                FROM chain c JOIN teams p ON p.id = c.parent_id WHERE NOT p.id = ANY (c.path)),
            rules (permission, effect, depth) AS (
                SELECT r.permission, r.effect, c.depth FROM chain c JOIN team_rules r ON r.team_id = c.team_id
                UNION ALL
                SELECT rp.permission, 'allow', 2147483647 FROM role_permissions rp
                WHERE rp.role = coalesce((SELECT ur.role FROM user_roles ur WHERE ur.user_id = target), 'viewer')),
            decided AS (
                SELECT DISTINCT ON (rules.permission) rules.permission, rules.effect FROM rules
                ORDER BY rules.permission, rules.depth, rules.effect = 'deny' DESC)
            SELECT decided.permission FROM decided WHERE decided.effect = 'allow' ORDER BY decided.permission
        $fn$;
        """;
}
