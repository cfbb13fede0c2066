using Apex.Coverage.Web.Data;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Apex.Coverage.Web.ApiTokens;

/// <summary>
/// A named bearer token for the API. Only the SHA-256 of the secret is kept; the secret itself is
/// shown once, when the token is made. A revoked token stays for the record, its name free again.
/// </summary>
public sealed class ApiToken
{
    public long Id { get; set; }

    public required string Name { get; set; }

    /// <summary>The token's first characters, to find its row and to tell tokens apart on screen.</summary>
    public required string Prefix { get; set; }

    /// <summary>SHA-256 of the whole token, lower-case hex.</summary>
    public required string Hash { get; set; }

    /// <summary>
    /// What it may write (<see cref="ApiTokenScopes"/>), space-separated. Tokens made before scopes
    /// existed got both when the column was added: they could do both before (ADR 0171).
    /// </summary>
    public string Scopes { get; set; } = ApiTokenScopes.Join(ApiTokenScopes.All);

    /// <summary>The one suite it may write to; null for every suite.</summary>
    public string? Suite { get; set; }

    public DateTimeOffset? ExpiresAt { get; set; }

    public DateTimeOffset? LastUsedAt { get; set; }

    /// <summary>Who made it: the admin's e-mail, or "cli".</summary>
    public string? CreatedBy { get; set; }

    public DateTimeOffset CreatedAt { get; set; }

    public DateTimeOffset? RevokedAt { get; set; }
}

internal sealed class ApiTokenConfiguration : IEntityTypeConfiguration<ApiToken>
{
    public void Configure(EntityTypeBuilder<ApiToken> builder)
    {
        builder.Property(t => t.Name).HasMaxLength(ApiTokenStore.MaxNameLength);
        builder.Property(t => t.Prefix).HasMaxLength(16);
        builder.Property(t => t.Hash).HasMaxLength(64);
        builder.Property(t => t.Scopes).HasMaxLength(100).HasDefaultValue(ApiTokenScopes.Join(ApiTokenScopes.All));
        builder.Property(t => t.Suite).HasMaxLength(200);
        builder.Property(t => t.CreatedBy).HasMaxLength(256);
        builder.HasIndex(t => t.Prefix);
        // One live token per name, so `tokens revoke --name ci` means exactly one token.
        builder.HasIndex(t => t.Name).IsUnique().HasFilter("\"RevokedAt\" IS NULL");
    }
}
