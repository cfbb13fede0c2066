namespace Apex.Coverage.Web.Data;

/// <summary>Where the dashboard keeps its data (Data:Provider).</summary>
public enum StoreProvider
{
    /// <summary>One SQLite file: the embedded default, one node.</summary>
    Sqlite,

    /// <summary>A shared PostgreSQL database: several nodes, one store (ADR 0052).</summary>
    PostgreSql,
}
