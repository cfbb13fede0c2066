using Apex.Coverage.Tests.Fixtures;
using Apex.Coverage.Web.Data;
using Apex.Coverage.Web.Results;
using Apex.Coverage.Web.Runs;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using TestResult = Apex.Coverage.Web.Results.TestResult;

namespace Apex.Coverage.Tests.Runs;

/// <summary>
/// The real dashboard host, with its database, plan and schedule edits in a temp folder, and the
/// fixture suite configured several ways: as is, crashing, hanging, built before the run, broken.
/// </summary>
public sealed class RunnerHostFactory(string fixtureAssembly, string? folder = null, Action<IWebHostBuilder>? configure = null, bool keepFolder = false)
    : WebApplicationFactory<Program>
{
    public const string Suite = "Fixture";
    public const string Crashing = "FixtureCrash";
    public const string KillingHost = "FixtureKillHost";
    public const string Hanging = "FixtureHang";
    public const string HangingShortTimeout = "FixtureHangTimeout";
    public const string Built = "FixtureBuilt";
    public const string Broken = "Broken";
    public static readonly TimeSpan Grace = TimeSpan.FromSeconds(2);

    public string Folder { get; } = folder ?? TempFolder.Create("apex-runner");

    public string ConnectionString => $"Data Source={Path.Combine(Folder, "data", "coverage.db")};Pooling=False";

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        Directory.CreateDirectory(Path.Combine(Folder, "plan"));
        File.Copy(PlanFixtures.PathOf(PlanFixtures.RealPlan), Path.Combine(Folder, "plan", "plan.md"), overwrite: true);
        builder.UseSetting("Data:ConnectionString", ConnectionString);
        builder.UseSetting("Plan:Path", Path.Combine(Folder, "plan", "plan.md"));
        builder.UseSetting("Plan:Watch", "false");
        builder.UseSetting("Runs:CancelGracePeriod", Grace.ToString());
        builder.UseSetting("Runs:DefaultSuite", Suite);
        builder.UseSetting("Runs:ScheduleEditsPath", Path.Combine(Folder, "data", "schedules.json"));
        Configure(builder, Suite, fixtureAssembly);
        Configure(builder, Crashing, fixtureAssembly, ("APEX_FIXTURE_CRASH", "1"));
        Configure(builder, KillingHost, fixtureAssembly, ("APEX_FIXTURE_KILL_HOST", "1"));
        Configure(builder, Hanging, fixtureAssembly, ("APEX_FIXTURE_HANG", "1"), (ProcessTable.OwnerVariable, ProcessTable.Owner));
        Configure(builder, HangingShortTimeout, fixtureAssembly, ("APEX_FIXTURE_HANG", "1"), (ProcessTable.OwnerVariable, ProcessTable.Owner));
        builder.UseSetting($"Suites:{HangingShortTimeout}:RunTimeout", "00:00:08");
        Configure(builder, Built, fixtureAssembly);
        builder.UseSetting($"Suites:{Built}:BuildBeforeRun", "true");
        builder.UseSetting($"Suites:{Built}:Project", FixtureSuiteBuild.SuiteProject);
        Configure(builder, Broken, Path.Combine(Folder, "broken", "Apex.Fixture.Broken.dll"));
        builder.UseSetting($"Suites:{Broken}:BuildBeforeRun", "true");
        builder.UseSetting($"Suites:{Broken}:Project", FixtureSuiteBuild.BrokenProject);
        configure?.Invoke(builder);
    }

    private static void Configure(IWebHostBuilder builder, string suite, string assembly, params (string Name, string Value)[] environment)
    {
        builder.UseSetting($"Suites:{suite}:Assembly", assembly);
        builder.UseSetting($"Suites:{suite}:BuildBeforeRun", "false");
        foreach (var (name, value) in environment)
        {
            builder.UseSetting($"Suites:{suite}:Environment:{name}", value);
        }
    }

    public RunRequests Requests => Services.GetRequiredService<RunRequests>();

    public CoverageDbContext Database() => Services.GetRequiredService<IDbContextFactory<CoverageDbContext>>().CreateDbContext();

    public Task<long> StartAsync(string suite, RunSelection? selection = null) =>
        Requests.StartAsync(suite, selection ?? RunSelection.WholeSuite, RunSource.Dashboard, false, null, TestContext.Current.CancellationToken);

    /// <summary>Waits for the run to reach a status that satisfies <paramref name="until"/>, woken by the notifier.</summary>
    public Task<TestRun> WaitForAsync(long runId, Func<TestRun, bool> until, TimeSpan timeout) =>
        RunWait.ForAsync(Services, runId, until, timeout);

    public Task<TestRun> WaitForEndAsync(long runId, int seconds = 120) =>
        WaitForAsync(runId, r => r.FinishedAt is not null, TimeSpan.FromSeconds(seconds));

    public async Task<List<TestResult>> ResultsAsync(long runId)
    {
        await using var db = Database();
        return await db.TestResults.AsNoTracking().Where(r => r.RunId == runId).OrderBy(r => r.Id).ToListAsync(TestContext.Current.CancellationToken);
    }

    public override async ValueTask DisposeAsync()
    {
        await base.DisposeAsync();
        if (!keepFolder)
        {
            TempFolder.Delete(Folder);
        }
    }
}

/// <summary>One fixture-suite build and one runner host for the tests that share them, run one at a time.</summary>
public sealed class RunnerHost : IAsyncLifetime
{
    public FixtureSuiteBuild Build { get; } = new();

    public RunnerHostFactory Factory { get; private set; } = null!;

    public async ValueTask InitializeAsync()
    {
        await Build.InitializeAsync();
        Factory = new RunnerHostFactory(Build.Assembly);
        _ = Factory.Server;
    }

    public async ValueTask DisposeAsync() => await Factory.DisposeAsync();
}

/// <remarks>The two-node tests run here too (they need the fixture build), with their own PostgreSQL.</remarks>
[CollectionDefinition(Name)]
public sealed class RunnerCollection : ICollectionFixture<RunnerHost>, ICollectionFixture<Apex.Integration.Infrastructure.PostgresServer>
{
    public const string Name = "runner";
}
