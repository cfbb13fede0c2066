using System.ComponentModel.DataAnnotations;

namespace Apex.Coverage.Web.Data;

public sealed class DataOptions
{
    public const string SectionName = "Data";

    /// <summary>
    /// A SQLite connection string. A relative Data Source is taken from the content root (the
    /// repo root when the dashboard runs), so the file lands under data/ wherever it is started.
    /// </summary>
    [Required(ErrorMessage = "Data:ConnectionString is required, for example \"Data Source=data/apex-coverage.db\".")]
    public string ConnectionString { get; set; } = "Data Source=data/apex-coverage.db";
}
