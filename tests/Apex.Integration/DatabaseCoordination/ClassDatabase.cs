using Apex.Integration.Infrastructure;
using Npgsql;

namespace Apex.Integration.DatabaseCoordination;

/// <summary>
/// A PostgreSQL database of one test class on the assembly's server, with a pooled data source.
/// Classes run in parallel, each in its own database; the tests of one class share it and keep
/// apart by table or key.
/// </summary>
public abstract class ClassDatabase(PostgresServer postgres) : IAsyncLifetime
{
    public string ConnectionString { get; private set; } = string.Empty;

    public NpgsqlDataSource DataSource { get; private set; } = null!;

    protected abstract string Owner { get; }

    protected PostgresServer Server => postgres;

    public virtual async ValueTask InitializeAsync()
    {
        // The server fixture's strings turn pooling off; pooling is part of what this category tests.
        ConnectionString = new NpgsqlConnectionStringBuilder(await postgres.CreateDatabaseAsync(Owner)) { Pooling = true }.ConnectionString;
        DataSource = NpgsqlDataSource.Create(ConnectionString);
    }

    /// <summary>Runs statements on a connection of the class's pool.</summary>
    public async Task ExecuteAsync(string sql)
    {
        await using var command = DataSource.CreateCommand(sql);
        await command.ExecuteNonQueryAsync(TestContext.Current.CancellationToken);
    }

    public async Task<T> ScalarAsync<T>(string sql)
    {
        await using var command = DataSource.CreateCommand(sql);
        return (T)(await command.ExecuteScalarAsync(TestContext.Current.CancellationToken))!;
    }

    public virtual async ValueTask DisposeAsync()
    {
        await DataSource.DisposeAsync();
        GC.SuppressFinalize(this);
    }
}
