using Microsoft.Data.Sqlite;

namespace Apex.Coverage.Web.Data;

public static class SqliteConnectionStrings
{
    /// <summary>Makes a relative Data Source absolute against <paramref name="contentRoot"/>.</summary>
    public static string Resolve(string connectionString, string contentRoot)
    {
        var builder = new SqliteConnectionStringBuilder(connectionString);
        if (builder.DataSource.Length > 0
            && builder.Mode != SqliteOpenMode.Memory
            && !string.Equals(builder.DataSource, ":memory:", StringComparison.Ordinal)
            && !Path.IsPathRooted(builder.DataSource))
        {
            builder.DataSource = Path.GetFullPath(Path.Combine(contentRoot, builder.DataSource));
        }

        return builder.ToString();
    }

    /// <summary>The folder the database file lives in, or null for an in-memory database.</summary>
    public static string? DirectoryOf(string connectionString)
    {
        var builder = new SqliteConnectionStringBuilder(connectionString);
        return builder.Mode == SqliteOpenMode.Memory || !Path.IsPathRooted(builder.DataSource)
            ? null
            : Path.GetDirectoryName(builder.DataSource);
    }
}
