using System.ComponentModel.DataAnnotations;

namespace Apex.Platform.Data.ClickHouse;

/// <summary>Where the platform's analytical store listens: ClickHouse's HTTP interface and one database.</summary>
public sealed class ClickHouseOptions
{
    public const string SectionName = "Platform:ClickHouse";

    [Required(ErrorMessage = "Platform:ClickHouse:Endpoint is required (the HTTP interface, e.g. http://127.0.0.1:8123/).")]
    [Url(ErrorMessage = "Platform:ClickHouse:Endpoint must be an absolute URL.")]
    public string Endpoint { get; set; } = string.Empty;

    [Required(ErrorMessage = "Platform:ClickHouse:Database is required.")]
    [RegularExpression("^[A-Za-z_][A-Za-z0-9_]*$", ErrorMessage = "Platform:ClickHouse:Database must be a plain identifier (letters, digits, underscore).")]
    public string Database { get; set; } = "apex";
}
