using Apex.Coverage.Web.Data;
using Microsoft.EntityFrameworkCore;

namespace Apex.Coverage.Tests.Fixtures;

/// <summary>A migrated SQLite file in a temp folder of its own, removed on dispose.</summary>
public sealed class TestDatabase : IDbContextFactory<CoverageDbContext>, IAsyncDisposable
{
    private readonly DbContextOptions<CoverageDbContext> _options;

    private TestDatabase(string folder)
    {
        Folder = folder;
        ConnectionString = $"Data Source={Path.Combine(folder, "coverage.db")};Pooling=False";
        _options = new DbContextOptionsBuilder<CoverageDbContext>().UseSqlite(ConnectionString).Options;
    }

    public string Folder { get; }

    public string ConnectionString { get; }

    public static async Task<TestDatabase> CreateAsync()
    {
        var database = new TestDatabase(TempFolder.Create("apex-db"));
        await using var db = database.CreateDbContext();
        await db.Database.MigrateAsync();
        return database;
    }

    public CoverageDbContext CreateDbContext() => new(_options);

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

    public static void Delete(string folder)
    {
        if (Directory.Exists(folder))
        {
            Directory.Delete(folder, recursive: true);
        }
    }
}
