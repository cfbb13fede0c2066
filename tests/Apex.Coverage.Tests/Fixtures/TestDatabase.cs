using Apex.Coverage.Web.Data;
using Apex.Coverage.Web.Data.PostgreSql;
using Apex.Integration.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace Apex.Coverage.Tests.Fixtures;

/// <summary>
/// A migrated store of its own: a SQLite file in a temp folder (removed on dispose), or a fresh
/// database on the collection's PostgreSQL server (which goes with the server).
/// </summary>
public sealed class TestDatabase : IDbContextFactory<CoverageDbContext>, IAsyncDisposable
{
    private readonly Func<CoverageDbContext> _create;

    private TestDatabase(StoreProvider provider, string connectionString, string folder)
    {
        Provider = provider;
        ConnectionString = connectionString;
        Folder = folder;
        _create = CoverageDbContextFactory.Creator(new DataOptions { Provider = provider, ConnectionString = connectionString }, Path.GetTempPath());
    }

    public StoreProvider Provider { get; }

    /// <summary>A temp folder of the test's own (the SQLite file's; empty on PostgreSQL).</summary>
    public string Folder { get; }

    public string ConnectionString { get; }

    public static Task<TestDatabase> CreateAsync() => CreateAsync(StoreProvider.Sqlite, null);

    /// <summary>A migrated store on <paramref name="provider"/>; PostgreSQL needs the collection's <paramref name="postgres"/>.</summary>
    public static async Task<TestDatabase> CreateAsync(StoreProvider provider, PostgresServer? postgres)
    {
        TestDatabase database;
        var folder = TempFolder.Create("apex-db");
        if (provider == StoreProvider.PostgreSql)
        {
            var server = postgres ?? throw new ArgumentNullException(nameof(postgres), "PostgreSQL stores come from the PostgresStore collection's server.");
            database = new TestDatabase(provider, await server.CreateDatabaseAsync("coverage"), folder);
        }
        else
        {
            database = new TestDatabase(provider, $"Data Source={Path.Combine(folder, "coverage.db")};Pooling=False", folder);
        }

        await using var db = database.CreateDbContext();
        await db.Database.MigrateAsync();
        return database;
    }

    public CoverageDbContext CreateDbContext() => _create();

    public ValueTask DisposeAsync()
    {
        TempFolder.Delete(Folder);
        return ValueTask.CompletedTask;
    }
}

public static class TempFolder
{
    public static string Create(string prefix)
    {
        var folder = Path.Combine(Path.GetTempPath(), $"{prefix}-{Guid.NewGuid():N}");
        Directory.CreateDirectory(folder);
        return folder;
    }

    /// <summary>
    /// Deletes the folder, trying again for a short while: a host just disposed may still be closing a file
    /// in it (SQLite's -wal and -shm files), and a delete that races it fails with "Directory not empty".
    /// </summary>
    public static void Delete(string folder)
    {
        for (var attempt = 1; Directory.Exists(folder); attempt++)
        {
            try
            {
                Directory.Delete(folder, recursive: true);
            }
            catch (IOException) when (attempt < 20)
            {
                Thread.Sleep(100);
            }
        }
    }
}
