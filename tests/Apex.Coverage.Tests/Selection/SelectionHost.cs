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
    private readonly string _folder = Apex.Coverage.Tests.Fixtures.TempFolder.Create("apex-selection-suite");

    public string Assembly { get; private set; } = string.Empty;

    public RunnerHostFactory Factory { get; private set; } = null!;

    public long FirstRunId { get; private set; }

    public async ValueTask InitializeAsync()
    {
        // A private copy: the coverage-map runs here instrument the fixture library in place, and a build of the suite
        // elsewhere meanwhile (the browser tests, other classes) would copy the plain library over it (CI, 3d15692).
        Assembly = FixtureSuiteBuild.CopyOutput(await FixtureSuiteBuild.BuildAsync(FixtureSuiteBuild.SuiteProject), Path.Combine(_folder, "suite"));
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

    public async ValueTask DisposeAsync()
    {
        await Factory.DisposeAsync();
        Apex.Coverage.Tests.Fixtures.TempFolder.Delete(_folder);
    }
}

[CollectionDefinition(Name)]
public sealed class SelectionCollection : ICollectionFixture<SelectionHost>
{
    public const string Name = "selection";
}
