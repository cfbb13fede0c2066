using Apex.Coverage.Tests.Runs;
using Apex.Coverage.Web.ApiTokens;
using Microsoft.Extensions.DependencyInjection;

namespace Apex.Coverage.Tests.Selection;

/// <summary>
/// The fixture suite built once, one real dashboard host for the selection tests, and one real
/// run of the whole suite so every test has a measured duration and an outcome (Fails failed).
/// </summary>
public sealed class SelectionHost : IAsyncLifetime
{
    public string Assembly { get; private set; } = string.Empty;

    public RunnerHostFactory Factory { get; private set; } = null!;

    public long FirstRunId { get; private set; }

    public async ValueTask InitializeAsync()
    {
        Assembly = await FixtureSuiteBuild.BuildAsync(FixtureSuiteBuild.SuiteProject);
        Factory = new RunnerHostFactory(Assembly);
        FirstRunId = await Factory.StartAsync(RunnerHostFactory.Suite);
        await Factory.WaitForEndAsync(FirstRunId, 300);
    }

    public async Task<HttpClient> ClientWithTokenAsync()
    {
        var token = await Factory.Services.GetRequiredService<ApiTokenStore>().CreateAsync($"sel-{Guid.NewGuid():N}"[..20], TestContext.Current.CancellationToken);
        var client = Factory.CreateClient();
        client.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", token.Token);
        return client;
    }

    public async ValueTask DisposeAsync() => await Factory.DisposeAsync();
}

[CollectionDefinition(Name)]
public sealed class SelectionCollection : ICollectionFixture<SelectionHost>
{
    public const string Name = "selection";
}
