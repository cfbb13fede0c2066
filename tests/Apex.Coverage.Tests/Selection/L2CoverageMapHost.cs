using System.Net.Http.Json;
using Apex.Coverage.Tests.Fixtures;
using Apex.Coverage.Tests.Runs;
using Apex.Coverage.Web.ApiTokens;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace Apex.Coverage.Tests.Selection;

/// <summary>
/// The coverage map of the real L2 suite (tests/Apex.Integration), made once for the collection by
/// the real job: a dashboard host with the suite configured as "L2", its tests discovered at
/// start-up, then <c>POST /api/v1/coverage-map</c> for a billing item and two authentication items,
/// each run with coverlet measuring Apex.Platform and the L2 fixtures starting their own servers.
/// Only those three items are mapped (the whole map of 100 items takes far longer; see issue 16's
/// note). The suite is the build the solution build made (built here only when missing), copied
/// to a folder of its own: coverlet rewrites Apex.Platform.dll in place while it measures, and the
/// L2 suite's own test run may be using the original at the same time.
/// </summary>
public sealed class L2CoverageMapHost : IAsyncLifetime
{
    public const string Suite = "L2";
    public const int PaymentWebhooks = 98;
    public const int SamlSso = 13;
    public const int TwoFactor = 14;

    private static readonly TimeSpan RunTimeout = TimeSpan.FromMinutes(15);

    public L2SuiteHostFactory Factory { get; private set; } = null!;

    public HttpClient Client { get; private set; } = null!;

    /// <summary>Plan item → the coverage run that mapped it.</summary>
    public Dictionary<int, long> MapRuns { get; private set; } = [];

    public async ValueTask InitializeAsync()
    {
        Factory = new L2SuiteHostFactory(await CopyOfBuiltSuiteAsync());
        var token = await Factory.Services.GetRequiredService<ApiTokenStore>().CreateAsync("l2-coverage-map", TestContext.Current.CancellationToken);
        Client = Factory.CreateClient();
        Client.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", token.Token);
        await Eventually.ThatAsync(SuiteIsKnownAsync, known => known, "the start-up discovery of the L2 suite", seconds: 600);
        using var started = await Client.PostAsJsonAsync("/api/v1/coverage-map",
            new { suite = Suite, planItems = new[] { PaymentWebhooks, SamlSso, TwoFactor } }, TestContext.Current.CancellationToken);
        started.EnsureSuccessStatusCode();
        MapRuns = (await started.Content.ReadFromJsonAsync<Dictionary<int, long>>(TestContext.Current.CancellationToken))!;
        foreach (var run in MapRuns.Values)
        {
            await RunWait.ForEndAsync(Factory.Services, run, RunTimeout);
        }
    }

    // The selection answers 200 once the discovered tests are in the coverage report.
    private async Task<bool> SuiteIsKnownAsync()
    {
        using var answer = await Client.GetAsync($"/api/v1/selection?suite={Suite}&budget=01:00:00&format=list", TestContext.Current.CancellationToken);
        return answer.IsSuccessStatusCode;
    }

    private static async Task<string> CopyOfBuiltSuiteAsync()
    {
        var project = Path.Combine(FixtureSuiteBuild.RepoRoot, "tests", "Apex.Integration", "Apex.Integration.csproj");
        var built = await FixtureSuiteBuild.TargetPathAsync(project);
        if (!File.Exists(built))
        {
            built = await FixtureSuiteBuild.BuildAsync(project);
        }

        return FixtureSuiteBuild.CopyOutput(built, TempFolder.Create("apex-l2-map-suite"));
    }

    public async ValueTask DisposeAsync()
    {
        Client?.Dispose();
        if (Factory is not null)
        {
            await Factory.DisposeAsync();
        }
    }
}

/// <summary>The real dashboard host with one suite, the L2 suite at <paramref name="suiteAssembly"/> (a copy it deletes when done).</summary>
public sealed class L2SuiteHostFactory(string suiteAssembly) : WebApplicationFactory<Program>
{
    public string Folder { get; } = TempFolder.Create("apex-l2-map");

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        Directory.CreateDirectory(Path.Combine(Folder, "plan"));
        File.Copy(PlanFixtures.PathOf(PlanFixtures.RealPlan), Path.Combine(Folder, "plan", "plan.md"), overwrite: true);
        builder.UseSetting("Data:ConnectionString", $"Data Source={Path.Combine(Folder, "data", "coverage.db")};Pooling=False");
        builder.UseSetting("Plan:Path", Path.Combine(Folder, "plan", "plan.md"));
        builder.UseSetting("Plan:Watch", "false");
        builder.UseSetting("Runs:DefaultSuite", L2CoverageMapHost.Suite);
        builder.UseSetting("Runs:ScheduleEditsPath", Path.Combine(Folder, "data", "schedules.json"));
        builder.UseSetting("Analytics:DiscoverOnStart", "true");
        builder.UseSetting("Coverage:TargetAssembly", "Apex.Platform");
        builder.UseSetting("Coverage:ResultsPath", Path.Combine(Folder, "coverage"));
        builder.UseSetting($"Suites:{L2CoverageMapHost.Suite}:Assembly", suiteAssembly);
        builder.UseSetting($"Suites:{L2CoverageMapHost.Suite}:BuildBeforeRun", "false");
        builder.UseSetting($"Suites:{L2CoverageMapHost.Suite}:RunTimeout", "00:15:00");
    }

    public override async ValueTask DisposeAsync()
    {
        await base.DisposeAsync();
        TempFolder.Delete(Folder);
        TempFolder.Delete(Path.GetDirectoryName(suiteAssembly)!);
    }
}

[CollectionDefinition(Name)]
public sealed class L2CoverageMapCollection : ICollectionFixture<L2CoverageMapHost>
{
    public const string Name = "l2-coverage-map";
}
