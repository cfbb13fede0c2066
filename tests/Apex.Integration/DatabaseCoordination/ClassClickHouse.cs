using Apex.Integration.Infrastructure;
using Apex.Platform.Data.ClickHouse;
using Microsoft.Extensions.Options;

namespace Apex.Integration.DatabaseCoordination;

/// <summary>A ClickHouse database of one test class on the assembly's server, and the platform's client for it.</summary>
public sealed class ClassClickHouse : IDisposable
{
    private readonly HttpClient _http = new() { Timeout = TimeSpan.FromSeconds(30) };

    private ClassClickHouse(string database, Uri endpoint)
    {
        Database = database;
        Client = new ClickHouseHttpClient(_http, Options.Create(new ClickHouseOptions { Endpoint = endpoint.ToString(), Database = database }));
    }

    public string Database { get; }

    public ClickHouseHttpClient Client { get; }

    public static async Task<ClassClickHouse> CreateAsync(ClickHouseServer server, string owner) =>
        new(await server.CreateDatabaseAsync(owner), server.Endpoint);

    public Task ExecuteAsync(string sql) => Client.ExecuteAsync(sql, TestContext.Current.CancellationToken);

    /// <summary>A single number from ClickHouse (its JSON quotes 64-bit integers, hence the parse).</summary>
    public async Task<long> CountAsync(string sql) => (await Client.QueryAsync<CountRow>($"SELECT toInt64(({sql})) AS n", TestContext.Current.CancellationToken)).Single().N;

    public void Dispose() => _http.Dispose();

    private sealed record CountRow(long N);
}
