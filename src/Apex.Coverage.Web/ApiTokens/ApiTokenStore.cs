using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;
using Apex.Coverage.Web.Data;
using Microsoft.EntityFrameworkCore;

namespace Apex.Coverage.Web.ApiTokens;

public sealed record CreatedApiToken(string Name, string Token);

public sealed record ApiTokenSummary(string Name, string Prefix, DateTimeOffset CreatedAt, DateTimeOffset? RevokedAt)
{
    public IReadOnlyList<string> Scopes { get; init; } = ApiTokenScopes.All;

    public string? Suite { get; init; }

    public DateTimeOffset? ExpiresAt { get; init; }

    public DateTimeOffset? LastUsedAt { get; init; }

    public string? CreatedBy { get; init; }
}

/// <summary>What a new token may do: its scopes (both when empty), optionally one suite and an expiry.</summary>
public sealed record ApiTokenRequest(string Name, IReadOnlyList<string>? Scopes = null, string? Suite = null, DateTimeOffset? ExpiresAt = null, string? CreatedBy = null);

/// <summary>A live token as the API sees it.</summary>
public sealed record ApiTokenIdentity(string Name, IReadOnlyList<string> Scopes, string? Suite);

/// <summary>Thrown for a token request a person must change (bad or taken name); the message says how.</summary>
public sealed class ApiTokenException(string message) : Exception(message);

/// <summary>Makes, lists, revokes and checks API tokens. The settings page and the CLI share it.</summary>
public sealed partial class ApiTokenStore(IDbContextFactory<CoverageDbContext> factory, TimeProvider time)
{
    public const int MaxNameLength = 100;
    private const string Scheme = "apex_";
    private const int PrefixLength = 12;

    /// <summary>Last use is written at most once per this interval, so reads do not each cost a write.</summary>
    public static readonly TimeSpan LastUseResolution = TimeSpan.FromMinutes(1);

    public Task<CreatedApiToken> CreateAsync(string name, CancellationToken cancellationToken) =>
        CreateAsync(new ApiTokenRequest(name), cancellationToken);

    public async Task<CreatedApiToken> CreateAsync(ApiTokenRequest request, CancellationToken cancellationToken)
    {
        var name = ValidName(request.Name);
        var scopes = ValidScopes(request.Scopes);
        if (request.ExpiresAt is { } expires && expires <= time.GetUtcNow())
        {
            throw new ApiTokenException($"The expiry {expires:u} is already past; choose a later date or none.");
        }

        var token = Scheme + Base64Url(RandomNumberGenerator.GetBytes(32));
        await using var db = await factory.CreateDbContextAsync(cancellationToken);
        if (await db.ApiTokens.AnyAsync(t => t.Name == name && t.RevokedAt == null, cancellationToken))
        {
            throw Taken(name);
        }

        db.ApiTokens.Add(new ApiToken
        {
            Name = name, Prefix = token[..PrefixLength], Hash = HashOf(token), CreatedAt = time.GetUtcNow(),
            Scopes = scopes, Suite = Blank(request.Suite), ExpiresAt = request.ExpiresAt, CreatedBy = request.CreatedBy,
        });
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
            .Select(t => new ApiTokenSummary(t.Name, t.Prefix, t.CreatedAt, t.RevokedAt)
            {
                Scopes = ApiTokenScopes.Split(t.Scopes), Suite = t.Suite, ExpiresAt = t.ExpiresAt, LastUsedAt = t.LastUsedAt, CreatedBy = t.CreatedBy,
            })];
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
    public async Task<string?> FindNameAsync(string token, CancellationToken cancellationToken) =>
        (await FindAsync(token, cancellationToken))?.Name;

    /// <summary>
    /// The live, unexpired token that <paramref name="token"/> is, or null; records its use (at
    /// most once per <see cref="LastUseResolution"/>).
    /// </summary>
    public async Task<ApiTokenIdentity?> FindAsync(string token, CancellationToken cancellationToken)
    {
        if (token.Length <= PrefixLength || !token.StartsWith(Scheme, StringComparison.Ordinal))
        {
            return null;
        }

        var prefix = token[..PrefixLength];
        var now = time.GetUtcNow();
        await using var db = await factory.CreateDbContextAsync(cancellationToken);
        var candidates = await db.ApiTokens.AsNoTracking()
            .Where(t => t.Prefix == prefix && t.RevokedAt == null)
            .ToListAsync(cancellationToken);
        var hash = Encoding.ASCII.GetBytes(HashOf(token));
        // Constant-time comparison: how much of a guess matched must not show in the timing.
        var match = candidates.FirstOrDefault(c => CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(c.Hash), hash));
        if (match is null || match.ExpiresAt <= now)
        {
            return null;
        }

        if (match.LastUsedAt is null || match.LastUsedAt <= now - LastUseResolution)
        {
            await db.ApiTokens.Where(t => t.Id == match.Id).ExecuteUpdateAsync(s => s.SetProperty(t => t.LastUsedAt, now), cancellationToken);
        }

        return new ApiTokenIdentity(match.Name, ApiTokenScopes.Split(match.Scopes), match.Suite);
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

    private static string ValidScopes(IReadOnlyList<string>? scopes)
    {
        if (scopes is null || scopes.Count == 0)
        {
            return ApiTokenScopes.Join(ApiTokenScopes.All);
        }

        var unknown = scopes.Where(s => !ApiTokenScopes.Known.Contains(s)).ToList();
        return unknown.Count == 0
            ? ApiTokenScopes.Join(scopes)
            : throw new ApiTokenException($"Unknown scope {string.Join(", ", unknown.Select(u => $"\"{u}\""))}; a token's scopes are {string.Join(", ", ApiTokenScopes.Known)}.");
    }

    private static string? Blank(string? value) => string.IsNullOrWhiteSpace(value) ? null : value.Trim();

    private static ApiTokenException Taken(string name) =>
        new($"A token named \"{name}\" already exists. Revoke it first, or choose another name.");

    private static string Base64Url(byte[] bytes) =>
        Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    [GeneratedRegex("^[A-Za-z0-9._-]+$")]
    private static partial Regex NamePattern();
}
