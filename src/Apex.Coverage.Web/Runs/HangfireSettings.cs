using System.ComponentModel.DataAnnotations;

namespace Apex.Coverage.Web.Runs;

public enum HangfireStorageKind
{
    InMemory,
    PostgreSql,
}

/// <summary>The job storage and the /hangfire dashboard's access.</summary>
public sealed class HangfireSettings : IValidatableObject
{
    public const string SectionName = "Hangfire";

    /// <summary>InMemory for the embedded dashboard; PostgreSql so several nodes share one queue.</summary>
    public HangfireStorageKind Storage { get; set; } = HangfireStorageKind.InMemory;

    /// <summary>The PostgreSQL connection string when <see cref="Storage"/> is PostgreSql.</summary>
    public string? ConnectionString { get; set; }

    /// <summary>The /hangfire dashboard answers only local requests unless this is true.</summary>
    public bool DashboardAllowRemote { get; set; }

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (Storage == HangfireStorageKind.PostgreSql && string.IsNullOrWhiteSpace(ConnectionString))
        {
            yield return new ValidationResult("Hangfire:ConnectionString is required when Hangfire:Storage is PostgreSql.", [nameof(ConnectionString)]);
        }
    }
}
