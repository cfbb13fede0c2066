using Apex.Coverage.Web.Data;
using Microsoft.EntityFrameworkCore;
using Npgsql;

namespace Apex.Coverage.Benchmarks;

/// <summary>The store a benchmark reads: the SQLite file, or the database APEX_BENCH_POSTGRES names (made when missing).</summary>
public static class BenchStore
{
    public const string PostgresVariable = "APEX_BENCH_POSTGRES";

    public static async Task<IDbContextFactory<CoverageDbContext>> OpenAsync(StoreProvider provider, string sqlitePath)
    {
        if (provider == StoreProvider.Sqlite)
        {
            Directory.CreateDirectory(Path.GetDirectoryName(sqlitePath)!);
            return new Factory(CoverageDbContextFactory.Creator(new DataOptions { ConnectionString = $"Data Source={sqlitePath}" }, Path.GetTempPath()));
        }

        var connection = Environment.GetEnvironmentVariable(PostgresVariable) is { Length: > 0 } value ? value
            : throw new InvalidOperationException($"{PostgresVariable} is not set: run benchmarks/Apex.Coverage.Benchmarks/run-coverage-1m.sh, or point it at a database.");
        await CreateDatabaseAsync(new NpgsqlConnectionStringBuilder(connection));
        return new Factory(CoverageDbContextFactory.Creator(new DataOptions { Provider = provider, ConnectionString = connection }, Path.GetTempPath()));
    }

    private static async Task CreateDatabaseAsync(NpgsqlConnectionStringBuilder target)
    {
        var maintenance = new NpgsqlConnectionStringBuilder(target.ConnectionString) { Database = "postgres", Pooling = false };
        await using var connection = new NpgsqlConnection(maintenance.ConnectionString);
        await connection.OpenAsync();
        await using var exists = new NpgsqlCommand("SELECT 1 FROM pg_database WHERE datname = @name", connection);
        exists.Parameters.AddWithValue("name", target.Database!);
        if (await exists.ExecuteScalarAsync() is null)
        {
            await using var create = new NpgsqlCommand($"CREATE DATABASE \"{target.Database}\"", connection);
            await create.ExecuteNonQueryAsync();
        }
    }

    private sealed class Factory(Func<CoverageDbContext> create) : IDbContextFactory<CoverageDbContext>
    {
        public CoverageDbContext CreateDbContext() => create();
    }
}
