using Npgsql;

namespace Apex.Platform.Auth;

/// <summary>
/// Users and tenants in PostgreSQL. A login from an identity provider creates the user on first
/// sight (keyed by provider and subject) in the tenant of their email domain.
/// </summary>
public sealed class UserDirectory(NpgsqlDataSource dataSource, TimeProvider time)
{
    public const string Schema = """
        CREATE TABLE IF NOT EXISTS tenants (
            id uuid PRIMARY KEY,
            domain text NOT NULL UNIQUE,
            created_at timestamptz NOT NULL);
        CREATE TABLE IF NOT EXISTS users (
            id uuid PRIMARY KEY,
            tenant_id uuid NOT NULL REFERENCES tenants(id),
            provider text NOT NULL,
            subject text NOT NULL,
            email text NOT NULL,
            name text NOT NULL,
            created_at timestamptz NOT NULL,
            last_seen_at timestamptz NOT NULL,
            UNIQUE (provider, subject));
        """;

    public async Task<PlatformUser> UpsertFromProviderAsync(string provider, ExternalIdentity identity, CancellationToken cancellationToken)
    {
        var domain = identity.Email[(identity.Email.IndexOf('@', StringComparison.Ordinal) + 1)..].ToLowerInvariant();
        var now = time.GetUtcNow();
        await using var command = dataSource.CreateCommand("""
            WITH tenant AS (
                INSERT INTO tenants (id, domain, created_at) VALUES ($1, $2, $3)
                ON CONFLICT (domain) DO UPDATE SET domain = EXCLUDED.domain
                RETURNING id)
            INSERT INTO users (id, tenant_id, provider, subject, email, name, created_at, last_seen_at)
            SELECT $4, tenant.id, $5, $6, $7, $8, $3, $3 FROM tenant
            ON CONFLICT (provider, subject) DO UPDATE SET email = EXCLUDED.email, name = EXCLUDED.name, last_seen_at = EXCLUDED.last_seen_at
            RETURNING id, tenant_id, email, name
            """);
        foreach (var value in new object[] { Guid.NewGuid(), domain, now, Guid.NewGuid(), provider, identity.Subject, identity.Email, identity.Name })
        {
            command.Parameters.Add(new NpgsqlParameter { Value = value });
        }

        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        await reader.ReadAsync(cancellationToken);
        return new PlatformUser(reader.GetGuid(0), reader.GetGuid(1), reader.GetString(2), reader.GetString(3));
    }

    public async Task<PlatformUser?> FindAsync(Guid userId, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand("SELECT id, tenant_id, email, name FROM users WHERE id = $1");
        command.Parameters.Add(new NpgsqlParameter { Value = userId });
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        return await reader.ReadAsync(cancellationToken)
            ? new PlatformUser(reader.GetGuid(0), reader.GetGuid(1), reader.GetString(2), reader.GetString(3))
            : null;
    }
}

/// <summary>Who the identity provider says the user is.</summary>
public sealed record ExternalIdentity(string Subject, string Email, string Name);
