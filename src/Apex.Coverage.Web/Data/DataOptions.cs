using System.ComponentModel.DataAnnotations;
using Microsoft.Data.Sqlite;
using Npgsql;

namespace Apex.Coverage.Web.Data;

public sealed class DataOptions : IValidatableObject
{
    public const string SectionName = "Data";

    /// <summary>Sqlite (the default, one node) or PostgreSql (several nodes share one store).</summary>
    public StoreProvider Provider { get; set; } = StoreProvider.Sqlite;

    /// <summary>
    /// A SQLite connection string, or an Npgsql one when <see cref="Provider"/> is PostgreSql. A
    /// relative SQLite Data Source is taken from the content root (the repo root when the
    /// dashboard runs), so the file lands under data/ wherever it is started.
    /// </summary>
    [Required(ErrorMessage = "Data:ConnectionString is required, for example \"Data Source=data/apex-coverage.db\".")]
    public string ConnectionString { get; set; } = "Data Source=data/apex-coverage.db";

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (string.IsNullOrWhiteSpace(ConnectionString))
        {
            yield break;
        }

        if (!Enum.IsDefined(Provider))
        {
            yield return new ValidationResult("Data:Provider must be Sqlite or PostgreSql.", [nameof(Provider)]);
        }
        else if (Provider == StoreProvider.PostgreSql && ParseError(() => new NpgsqlConnectionStringBuilder(ConnectionString).Host) is { } error)
        {
            yield return new ValidationResult(
                $"Data:ConnectionString is not a PostgreSQL connection string ({error}); for example \"Host=db;Database=apex;Username=apex;Password=...\".",
                [nameof(ConnectionString)]);
        }
        else if (Provider == StoreProvider.Sqlite && ParseError(() => new SqliteConnectionStringBuilder(ConnectionString).DataSource) is { } sqliteError)
        {
            yield return new ValidationResult(
                $"Data:ConnectionString is not a SQLite connection string ({sqliteError}); for example \"Data Source=data/apex-coverage.db\".",
                [nameof(ConnectionString)]);
        }
    }

    /// <summary>The parser's complaint, or null when <paramref name="parse"/> found a non-empty host or file.</summary>
    private static string? ParseError(Func<string?> parse)
    {
        try
        {
            return string.IsNullOrWhiteSpace(parse()) ? "it names no server or file" : null;
        }
        catch (Exception error) when (error is ArgumentException or FormatException or InvalidOperationException)
        {
            return error.Message;
        }
    }
}
