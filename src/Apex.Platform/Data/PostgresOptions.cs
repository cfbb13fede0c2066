using System.ComponentModel.DataAnnotations;

namespace Apex.Platform.Data;

public sealed class PostgresOptions
{
    public const string SectionName = "Platform:Postgres";

    [Required(ErrorMessage = "Platform:Postgres:ConnectionString is required (an Npgsql connection string).")]
    public string ConnectionString { get; set; } = string.Empty;
}
