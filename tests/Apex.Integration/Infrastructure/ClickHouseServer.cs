using System.Net.Http;
using DotNet.Testcontainers.Builders;
using DotNet.Testcontainers.Containers;

namespace Apex.Integration.Infrastructure;

/// <summary>
/// The ClickHouse server of the test assembly, spoken to over its HTTP interface (the local
/// Debian build is 18.16, so tests keep to SQL it supports). Each test class gets a database of
/// its own (<see cref="CreateDatabaseAsync"/>).
/// </summary>
public sealed class ClickHouseServer : ServerFixture
{
    private const int HttpPort = 8123;
    private readonly HttpClient _http = new() { Timeout = TimeSpan.FromSeconds(30) };

    /// <summary>The HTTP endpoint, e.g. http://127.0.0.1:8123/.</summary>
    public Uri Endpoint { get; private set; } = new("http://127.0.0.1/");

    protected override string Name => "clickhouse";

    protected override string EnvironmentVariable => "APEX_TEST_CLICKHOUSE";

    /// <summary>Creates an empty database named after <paramref name="owner"/> and returns its name.</summary>
    public async Task<string> CreateDatabaseAsync(string owner)
    {
        var name = $"it_{new string(owner.ToLowerInvariant().Where(char.IsAsciiLetterOrDigit).Take(30).ToArray())}_{Guid.NewGuid():N}";
        await ExecuteAsync($"CREATE DATABASE {name}");
        return name;
    }

    /// <summary>Runs one statement through the HTTP interface and returns the response body.</summary>
    public async Task<string> ExecuteAsync(string sql)
    {
        using var response = await _http.PostAsync(Endpoint, new StringContent(sql));
        var body = await response.Content.ReadAsStringAsync();
        return response.IsSuccessStatusCode ? body : throw new InvalidOperationException($"ClickHouse refused '{sql}': {body}");
    }

    public override async Task<WatchedProcess> StartLocalAsync(int ownerPid)
    {
        var binary = RequireBinary("clickhouse-server", "clickhouse-server");
        var directory = NewTempDirectory();
        var (http, tcp) = (FreePort.Next(), FreePort.Next());
        await File.WriteAllTextAsync(Path.Combine(directory, "config.xml"), ClickHouseLocalConfig.Server(directory, http, tcp));
        await File.WriteAllTextAsync(Path.Combine(directory, "users.xml"), ClickHouseLocalConfig.Users);
        var process = await WatchedProcess.StartAsync(new ServerCommand(
            [binary, $"--config-file={Path.Combine(directory, "config.xml")}"], directory), ownerPid);
        Endpoint = new Uri($"http://127.0.0.1:{http}/");
        await WaitUntilAsync($"clickhouse-server on port {http}", PingAsync, process);
        return process;
    }

    protected override Task UseExistingAsync(string connection)
    {
        Endpoint = new Uri(connection);
        return Task.CompletedTask;
    }

    protected override IContainer CreateContainer() =>
        new ContainerBuilder("clickhouse/clickhouse-server:23.8")
            .WithPortBinding(HttpPort, assignRandomHostPort: true)
            .WithWaitStrategy(Wait.ForUnixContainer().UntilHttpRequestIsSucceeded(r => r.ForPort(HttpPort).ForPath("/ping")))
            .Build();

    protected override Task UseContainerAsync(IContainer container)
    {
        Endpoint = new Uri($"http://{container.Hostname}:{container.GetMappedPublicPort(HttpPort)}/");
        return Task.CompletedTask;
    }

    protected override ValueTask DisposeClientsAsync()
    {
        _http.Dispose();
        return ValueTask.CompletedTask;
    }

    private async Task<bool> PingAsync() => (await _http.GetStringAsync(new Uri(Endpoint, "ping"))).StartsWith("Ok", StringComparison.Ordinal);
}
