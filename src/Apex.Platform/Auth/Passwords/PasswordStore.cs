using System.Security.Cryptography;
using Microsoft.AspNetCore.Identity;
using Npgsql;

namespace Apex.Platform.Auth.Passwords;

public enum ResetResult { Done, Unknown, Expired, Used }

/// <summary>
/// Password credentials (hashed with ASP.NET Core Identity's PBKDF2 hasher) and reset tokens.
/// A reset token is 256 random bits; only its SHA-256 is stored, so a database leak hands out no
/// working link. Redeeming locks the row: of two concurrent redemptions exactly one succeeds.
/// </summary>
public sealed class PasswordStore(NpgsqlDataSource dataSource, TimeProvider time)
{
    public const string Schema = """
        CREATE TABLE IF NOT EXISTS password_credentials (
            user_id uuid PRIMARY KEY REFERENCES users(id),
            email text NOT NULL UNIQUE,
            hash text NOT NULL,
            updated_at timestamptz NOT NULL);
        CREATE TABLE IF NOT EXISTS password_reset_tokens (
            token_hash bytea PRIMARY KEY,
            user_id uuid NOT NULL REFERENCES users(id),
            created_at timestamptz NOT NULL,
            expires_at timestamptz NOT NULL,
            used_at timestamptz);
        """;

    private static readonly PasswordHasher<string> Hasher = new();

    public async Task<bool> CreateAsync(Guid userId, string email, string password, CancellationToken cancellationToken) =>
        await ExecuteAsync("INSERT INTO password_credentials (user_id, email, hash, updated_at) VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING",
            [userId, email, Hasher.HashPassword(email, password), time.GetUtcNow()], cancellationToken) == 1;

    public async Task<bool> ExistsAsync(string email, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand("SELECT EXISTS (SELECT 1 FROM password_credentials WHERE email = $1)");
        command.Parameters.Add(new NpgsqlParameter { Value = email });
        return (bool)(await command.ExecuteScalarAsync(cancellationToken))!;
    }

    /// <summary>The user id when the password is right.</summary>
    public async Task<Guid?> VerifyAsync(string email, string password, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand("SELECT user_id, hash FROM password_credentials WHERE email = $1");
        command.Parameters.Add(new NpgsqlParameter { Value = email });
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        if (!await reader.ReadAsync(cancellationToken)) return null;
        return Hasher.VerifyHashedPassword(email, reader.GetString(1), password) == PasswordVerificationResult.Failed ? null : reader.GetGuid(0);
    }

    public async Task<(Guid UserId, string Token)?> IssueResetTokenAsync(string email, TimeSpan lifetime, CancellationToken cancellationToken)
    {
        await using var find = dataSource.CreateCommand("SELECT user_id FROM password_credentials WHERE email = $1");
        find.Parameters.Add(new NpgsqlParameter { Value = email });
        if (await find.ExecuteScalarAsync(cancellationToken) is not Guid userId) return null;
        var token = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)).TrimEnd('=').Replace('+', '-').Replace('/', '_');
        var now = time.GetUtcNow();
        await ExecuteAsync("INSERT INTO password_reset_tokens (token_hash, user_id, created_at, expires_at) VALUES ($1, $2, $3, $4)",
            [Hash(token), userId, now, now + lifetime], cancellationToken);
        return (userId, token);
    }

    /// <summary>Redeems a reset token: sets the password and retires every other open token of the user.</summary>
    public async Task<(ResetResult Result, Guid UserId)> ResetAsync(string token, string newPassword, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        await using var find = new NpgsqlCommand("""
            SELECT t.user_id, t.expires_at, t.used_at, c.email FROM password_reset_tokens t
            JOIN password_credentials c ON c.user_id = t.user_id WHERE t.token_hash = $1 FOR UPDATE OF t
            """, connection);
        find.Parameters.Add(new NpgsqlParameter { Value = Hash(token) });
        Guid userId;
        string email;
        await using (var reader = await find.ExecuteReaderAsync(cancellationToken))
        {
            if (!await reader.ReadAsync(cancellationToken)) return (ResetResult.Unknown, Guid.Empty);
            if (!reader.IsDBNull(2)) return (ResetResult.Used, Guid.Empty);
            if (reader.GetFieldValue<DateTimeOffset>(1) <= time.GetUtcNow()) return (ResetResult.Expired, Guid.Empty);
            (userId, email) = (reader.GetGuid(0), reader.GetString(3));
        }

        await ExecuteAsync(connection, "UPDATE password_reset_tokens SET used_at = $2 WHERE user_id = $1 AND used_at IS NULL", [userId, time.GetUtcNow()], cancellationToken);
        await ExecuteAsync(connection, "UPDATE password_credentials SET hash = $2, updated_at = $3 WHERE user_id = $1",
            [userId, Hasher.HashPassword(email, newPassword), time.GetUtcNow()], cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return (ResetResult.Done, userId);
    }

    private static byte[] Hash(string token) => SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(token));

    private async Task<int> ExecuteAsync(string sql, object[] values, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        return await ExecuteAsync(connection, sql, values, cancellationToken);
    }

    private static async Task<int> ExecuteAsync(NpgsqlConnection connection, string sql, object[] values, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand(sql, connection);
        foreach (var value in values) command.Parameters.Add(new NpgsqlParameter { Value = value });
        return await command.ExecuteNonQueryAsync(cancellationToken);
    }
}
