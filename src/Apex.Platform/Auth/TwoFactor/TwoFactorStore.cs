using System.Security.Cryptography;
using Npgsql;

namespace Apex.Platform.Auth.TwoFactor;

/// <summary>
/// Enrolment (the TOTP secret, the phone for SMS fallback) and single-use recovery codes in
/// PostgreSQL. The last accepted TOTP step is kept so a code cannot be replayed within its window
/// (RFC 6238 section 5.2); using a recovery code is one conditional UPDATE, so it works once.
/// </summary>
public sealed class TwoFactorStore(NpgsqlDataSource dataSource, TimeProvider time)
{
    public const string Schema = """
        CREATE TABLE IF NOT EXISTS two_factor (
            user_id uuid PRIMARY KEY REFERENCES users(id),
            secret bytea NOT NULL,
            phone text,
            active boolean NOT NULL DEFAULT false,
            last_step bigint NOT NULL DEFAULT -1,
            enrolled_at timestamptz NOT NULL);
        CREATE TABLE IF NOT EXISTS recovery_codes (
            user_id uuid NOT NULL REFERENCES users(id),
            code_hash bytea NOT NULL,
            used_at timestamptz,
            PRIMARY KEY (user_id, code_hash));
        """;

    /// <summary>Starts (or restarts) an enrolment; null when 2FA is already active.</summary>
    public async Task<(byte[] Secret, IReadOnlyList<string> RecoveryCodes)?> EnrollAsync(Guid userId, string? phone, CancellationToken cancellationToken)
    {
        var secret = RandomNumberGenerator.GetBytes(20);
        var codes = Enumerable.Range(0, 10).Select(_ => NewRecoveryCode()).ToList();
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        var written = await ExecuteAsync(connection, """
            INSERT INTO two_factor (user_id, secret, phone, enrolled_at) VALUES ($1, $2, $3, $4)
            ON CONFLICT (user_id) DO UPDATE SET secret = EXCLUDED.secret, phone = EXCLUDED.phone, enrolled_at = EXCLUDED.enrolled_at, last_step = -1
            WHERE NOT two_factor.active
            """, [userId, secret, (object?)phone ?? DBNull.Value, time.GetUtcNow()], cancellationToken);
        if (written == 0) return null;
        await ExecuteAsync(connection, "DELETE FROM recovery_codes WHERE user_id = $1", [userId], cancellationToken);
        foreach (var code in codes) await ExecuteAsync(connection, "INSERT INTO recovery_codes (user_id, code_hash) VALUES ($1, $2)", [userId, Hash(code)], cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return (secret, codes);
    }

    public async Task<Enrolment?> FindAsync(Guid userId, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand("SELECT secret, phone, active FROM two_factor WHERE user_id = $1");
        command.Parameters.Add(new NpgsqlParameter { Value = userId });
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        return await reader.ReadAsync(cancellationToken)
            ? new Enrolment(reader.GetFieldValue<byte[]>(0), reader.IsDBNull(1) ? null : reader.GetString(1), reader.GetBoolean(2))
            : null;
    }

    /// <summary>Accepts a TOTP code once: its step must be newer than the last one accepted.</summary>
    public async Task<bool> AcceptTotpAsync(Guid userId, string code, bool activate, CancellationToken cancellationToken)
    {
        if (await FindAsync(userId, cancellationToken) is not { } enrolment || (!activate && !enrolment.Active)) return false;
        if (Totp.Match(enrolment.Secret, code, time.GetUtcNow()) is not { } step) return false;
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        return await ExecuteAsync(connection, "UPDATE two_factor SET last_step = $2, active = true WHERE user_id = $1 AND last_step < $2",
            [userId, step], cancellationToken) == 1;
    }

    public async Task<bool> UseRecoveryCodeAsync(Guid userId, string code, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        return await ExecuteAsync(connection, "UPDATE recovery_codes SET used_at = $3 WHERE user_id = $1 AND code_hash = $2 AND used_at IS NULL",
            [userId, Hash(code.Trim().ToUpperInvariant()), time.GetUtcNow()], cancellationToken) == 1;
    }

    public static byte[] Hash(string code) => SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(code));

    private static string NewRecoveryCode()
    {
        var raw = Base32.Encode(RandomNumberGenerator.GetBytes(5));
        return $"{raw[..4]}-{raw[4..]}";
    }

    private static async Task<int> ExecuteAsync(NpgsqlConnection connection, string sql, object[] values, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand(sql, connection);
        foreach (var value in values) command.Parameters.Add(new NpgsqlParameter { Value = value });
        return await command.ExecuteNonQueryAsync(cancellationToken);
    }
}

public sealed record Enrolment(byte[] Secret, string? Phone, bool Active);
