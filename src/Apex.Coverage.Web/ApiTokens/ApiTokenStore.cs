using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;
using Apex.Coverage.Web.Data;
using Microsoft.EntityFrameworkCore;

namespace Apex.Coverage.Web.ApiTokens;

public sealed record CreatedApiToken(string Name, string Token);

public sealed record ApiTokenSummary(string Name, string Prefix, DateTimeOffset CreatedAt, DateTimeOffset? RevokedAt);

/// <summary>Thrown for a token request a person must change (bad or taken name); the message says how.</summary>
public sealed class ApiTokenException(string message) : Exception(message);

/// <summary>Makes, lists, revokes and checks API tokens. The settings page and the CLI share it.</summary>
public sealed partial class ApiTokenStore(IDbContextFactory<CoverageDbContext> factory, TimeProvider time)
{
    public const int MaxNameLength = 100;
    private const string Scheme = "apex_";
    private const int PrefixLength = 12;

    public async Task<CreatedApiToken> CreateAsync(string name, CancellationToken cancellationToken)
    {
        name = ValidName(name);
        var token = Scheme + Base64Url(RandomNumberGenerator.GetBytes(32));
        await using var db = await factory.CreateDbContextAsync(cancellationToken);
        if (await db.ApiTokens.AnyAsync(t => t.Name == name && t.RevokedAt == null, cancellationToken))
        {
            throw Taken(name);
        }

        db.ApiTokens.Add(new ApiToken { Name = name, Prefix = token[..PrefixLength], Hash = HashOf(token), CreatedAt = time.GetUtcNow() });
        try
        {
            await db.SaveChangesAsync(cancellationToken);
        }
        catch (DbUpdateException)
        {
            throw Taken(name);
        }

        return new CreatedApiToken(name, token);
    }

    public async Task<IReadOnlyList<ApiTokenSummary>> ListAsync(CancellationToken cancellationToken)
    {
        await using var db = await factory.CreateDbContextAsync(cancellationToken);
        var tokens = await db.ApiTokens.AsNoTracking().ToListAsync(cancellationToken);
        return [.. tokens
            .OrderBy(t => t.RevokedAt is not null).ThenBy(t => t.Name, StringComparer.Ordinal).ThenByDescending(t => t.CreatedAt)
            .Select(t => new ApiTokenSummary(t.Name, t.Prefix, t.CreatedAt, t.RevokedAt))];
    }

    /// <summary>Revokes the live token of that name; false when there is none.</summary>
    public async Task<bool> RevokeAsync(string name, CancellationToken cancellationToken)
    {
        await using var db = await factory.CreateDbContextAsync(cancellationToken);
        var revoked = await db.ApiTokens
            .Where(t => t.Name == name && t.RevokedAt == null)
            .ExecuteUpdateAsync(s => s.SetProperty(t => t.RevokedAt, time.GetUtcNow()), cancellationToken);
        return revoked > 0;
    }

    /// <summary>The name of the live token that <paramref name="token"/> is, or null.</summary>
    public async Task<string?> FindNameAsync(string token, CancellationToken cancellationToken)
    {
        if (token.Length <= PrefixLength || !token.StartsWith(Scheme, StringComparison.Ordinal))
        {
            return null;
        }

        var prefix = token[..PrefixLength];
        await using var db = await factory.CreateDbContextAsync(cancellationToken);
        var candidates = await db.ApiTokens.AsNoTracking()
            .Where(t => t.Prefix == prefix && t.RevokedAt == null)
            .Select(t => new { t.Name, t.Hash })
            .ToListAsync(cancellationToken);
        var hash = Encoding.ASCII.GetBytes(HashOf(token));
        // Constant-time comparison: how much of a guess matched must not show in the timing.
        return candidates.FirstOrDefault(c => CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(c.Hash), hash))?.Name;
    }

    internal static string HashOf(string token) =>
        Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(token)));

    private static string ValidName(string? name)
    {
        name = name?.Trim() ?? string.Empty;
        if (name.Length is 0 or > MaxNameLength || !NamePattern().IsMatch(name))
        {
            throw new ApiTokenException(
                $"A token name is 1 to {MaxNameLength} letters, digits, '.', '_' or '-' (for example \"ci\" or \"github-actions\"); \"{name}\" is not.");
        }

        return name;
    }

    private static ApiTokenException Taken(string name) =>
        new($"A token named \"{name}\" already exists. Revoke it first, or choose another name.");

    private static string Base64Url(byte[] bytes) =>
        Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    [GeneratedRegex("^[A-Za-z0-9._-]+$")]
    private static partial Regex NamePattern();
}
