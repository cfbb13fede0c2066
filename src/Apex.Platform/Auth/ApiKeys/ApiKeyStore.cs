using System.Security.Cryptography;
using Npgsql;

namespace Apex.Platform.Auth.ApiKeys;

/// <summary>
/// API keys of service accounts: "apx_{lookup}_{secret}". Only a SHA-256 of the secret is stored
/// (the secret is 256 random bits, so a fast hash is enough; a slow one would only cost every
/// request); the lookup part finds the row, the hash is compared in constant time.
/// </summary>
public sealed class ApiKeyStore(NpgsqlDataSource dataSource, TimeProvider time)
{
    public const string Schema = """
        CREATE TABLE IF NOT EXISTS api_keys (
            id uuid PRIMARY KEY,
            user_id uuid NOT NULL REFERENCES users(id),
            tenant_id uuid NOT NULL REFERENCES tenants(id),
            name text NOT NULL,
            lookup text NOT NULL UNIQUE,
            secret_hash bytea NOT NULL,
            rate_per_minute int NOT NULL,
            created_at timestamptz NOT NULL,
            revoked_at timestamptz);
        CREATE TABLE IF NOT EXISTS api_key_audit (
            id bigserial PRIMARY KEY,
            key_id uuid NOT NULL REFERENCES api_keys(id),
            user_id uuid NOT NULL REFERENCES users(id),
            at timestamptz NOT NULL,
            action text NOT NULL,
            detail text NOT NULL,
            status int);
        CREATE INDEX IF NOT EXISTS api_key_audit_key ON api_key_audit (key_id, id);
        """;

    public async Task<(ApiKeyInfo Info, string Key)> CreateAsync(UserContext owner, string name, int ratePerMinute, CancellationToken cancellationToken)
    {
        var lookup = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(6));
        var secret = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(32));
        var info = new ApiKeyInfo(Guid.NewGuid(), owner.UserId, owner.TenantId, name, $"apx_{lookup}", ratePerMinute, time.GetUtcNow(), null);
        await ExecuteAsync("""
            INSERT INTO api_keys (id, user_id, tenant_id, name, lookup, secret_hash, rate_per_minute, created_at)
            VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
            """, [info.Id, owner.UserId, owner.TenantId, name, lookup, SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(secret)), ratePerMinute, info.CreatedAt], cancellationToken);
        await AuditAsync(info.Id, owner.UserId, "created", name, null, cancellationToken);
        return (info, $"apx_{lookup}_{secret}");
    }

    /// <summary>The key's owner and limits if the key is genuine and not revoked.</summary>
    public async Task<ApiKeyInfo?> ValidateAsync(string presented, CancellationToken cancellationToken)
    {
        var parts = presented.Split('_');
        if (parts is not ["apx", { Length: 12 } lookup, { Length: 64 } secret]) return null;
        await using var command = dataSource.CreateCommand(
            "SELECT id, user_id, tenant_id, name, rate_per_minute, created_at, revoked_at, secret_hash FROM api_keys WHERE lookup = $1");
        command.Parameters.Add(new NpgsqlParameter { Value = lookup });
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        if (!await reader.ReadAsync(cancellationToken) || !await reader.IsDBNullAsync(6, cancellationToken)) return null;
        var hash = reader.GetFieldValue<byte[]>(7);
        return CryptographicOperations.FixedTimeEquals(hash, SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(secret))) ? Read(reader, lookup) : null;
    }

    public async Task<List<ApiKeyInfo>> ListAsync(Guid userId, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand(
            "SELECT id, user_id, tenant_id, name, rate_per_minute, created_at, revoked_at, lookup FROM api_keys WHERE user_id = $1 ORDER BY created_at");
        command.Parameters.Add(new NpgsqlParameter { Value = userId });
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var keys = new List<ApiKeyInfo>();
        while (await reader.ReadAsync(cancellationToken)) keys.Add(Read(reader, reader.GetString(7)));
        return keys;
    }

    public async Task<bool> RevokeAsync(Guid userId, Guid keyId, CancellationToken cancellationToken)
    {
        var revoked = await ExecuteAsync("UPDATE api_keys SET revoked_at = $3 WHERE id = $1 AND user_id = $2 AND revoked_at IS NULL",
            [keyId, userId, time.GetUtcNow()], cancellationToken) == 1;
        if (revoked) await AuditAsync(keyId, userId, "revoked", string.Empty, null, cancellationToken);
        return revoked;
    }

    public Task AuditAsync(Guid keyId, Guid userId, string action, string detail, int? status, CancellationToken cancellationToken) =>
        ExecuteAsync("INSERT INTO api_key_audit (key_id, user_id, at, action, detail, status) VALUES ($1, $2, $3, $4, $5, $6)",
            [keyId, userId, time.GetUtcNow(), action, detail, status is null ? DBNull.Value : status.Value], cancellationToken);

    /// <summary>The key's audit trail, oldest first; only its owner may read it.</summary>
    public async Task<List<ApiKeyAuditEntry>?> AuditTrailAsync(Guid userId, Guid keyId, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand("""
            SELECT a.at, a.action, a.detail, a.status FROM api_keys k LEFT JOIN api_key_audit a ON a.key_id = k.id
            WHERE k.id = $1 AND k.user_id = $2 ORDER BY a.id
            """);
        command.Parameters.Add(new NpgsqlParameter { Value = keyId });
        command.Parameters.Add(new NpgsqlParameter { Value = userId });
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        List<ApiKeyAuditEntry>? entries = null;
        while (await reader.ReadAsync(cancellationToken))
        {
            entries ??= [];
            if (!await reader.IsDBNullAsync(0, cancellationToken))
            {
                entries.Add(new ApiKeyAuditEntry(reader.GetFieldValue<DateTimeOffset>(0), reader.GetString(1), reader.GetString(2),
                    await reader.IsDBNullAsync(3, cancellationToken) ? null : reader.GetInt32(3)));
            }
        }

        return entries;
    }

    private static ApiKeyInfo Read(NpgsqlDataReader reader, string lookup) => new(
        reader.GetGuid(0), reader.GetGuid(1), reader.GetGuid(2), reader.GetString(3), $"apx_{lookup}", reader.GetInt32(4),
        reader.GetFieldValue<DateTimeOffset>(5), reader.IsDBNull(6) ? null : reader.GetFieldValue<DateTimeOffset>(6));

    private async Task<int> ExecuteAsync(string sql, object[] values, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand(sql);
        foreach (var value in values) command.Parameters.Add(new NpgsqlParameter { Value = value });
        return await command.ExecuteNonQueryAsync(cancellationToken);
    }
}

/// <summary>An API key as its owner sees it: never the secret, only the public prefix.</summary>
public sealed record ApiKeyInfo(Guid Id, Guid UserId, Guid TenantId, string Name, string Prefix, int RatePerMinute, DateTimeOffset CreatedAt, DateTimeOffset? RevokedAt);

public sealed record ApiKeyAuditEntry(DateTimeOffset At, string Action, string Detail, int? Status);
