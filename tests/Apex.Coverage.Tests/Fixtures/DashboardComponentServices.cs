using Apex.Coverage.Web.Analytics;
using Apex.Coverage.Web.CodeCoverage;
using Apex.Coverage.Web.Data;
using Apex.Coverage.Web.Mutation;
using Apex.Coverage.Web.Plan;
using Apex.Coverage.Web.Results;
using Apex.Coverage.Web.Runs;
using Apex.Coverage.Web.Suites;
using Apex.Coverage.Web.Telemetry;
using Hangfire;
using Hangfire.InMemory;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using MudBlazor.Services;

namespace Apex.Coverage.Tests.Fixtures;

/// <summary>
/// The real services a bUnit test of a live dashboard page needs: the coverage report hub over a
/// test database, the run notifier that feeds it (as the app's RunSignal does), and the run
/// requests a Run button goes through (Hangfire in memory: a started run stays queued).
/// </summary>
public static class DashboardComponentServices
{
    public static IServiceCollection AddLiveDashboard(this IServiceCollection services, TestDatabase database, PlanCatalog catalog)
    {
        services.AddMudServices();
        services.AddMetrics();
        services.AddLogging();
        services.AddSingleton(catalog);
        services.AddSingleton<IDbContextFactory<CoverageDbContext>>(database);
        services.AddSingleton(TimeProvider.System);
        services.AddSingleton(Options.Create(new AnalyticsOptions()));
        services.AddSingleton<CoverageChanges>();
        services.AddSingleton<CoverageService>();
        services.AddSingleton<DashboardTelemetry>();
        services.AddSingleton<CoverageReportHub>();
        services.AddSingleton<MappingConflicts>();
        services.AddSingleton<QuarantineBook>();
        services.AddSingleton(new CodeCoverageStore(database, Options.Create(new CodeCoverageOptions())));
        services.AddSingleton(Options.Create(new RunsOptions()));
        return services.AddRunRequests(database, catalog);
    }

    /// <summary>The run side alone: suites (one, "L2"), the notifier, active runs, the reader and the requests a Run button goes through.</summary>
    public static IServiceCollection AddRunRequests(this IServiceCollection services, TestDatabase database, PlanCatalog catalog)
    {
        var notifier = new RunNotifier(NullLogger<RunNotifier>.Instance);
        var configured = new SuitesOptions { ["L2"] = new SuiteDefinition { Assembly = "suite.dll", BuildBeforeRun = false } };
        var suites = new SuiteCatalog(Options.Create(configured), new FixedEnvironment { ContentRootPath = database.Folder });
        var active = new ActiveRuns(TimeProvider.System);
        var relay = new RunRelay(Options.Create(new DataOptions()), Options.Create(new NodeOptions()), notifier, active,
            TimeProvider.System, NullLogger<RunRelay>.Instance);
        services.AddSingleton(suites);
        services.AddSingleton(notifier);
        services.AddSingleton(active);
        services.AddSingleton(relay);
        services.AddSingleton(new RunReader(database));
        services.AddSingleton(new RunRequests(database, suites, new RunSelectionResolver(catalog, database),
            new BackgroundJobClient(new InMemoryStorage()), active, relay, notifier, Options.Create(new RunsOptions()), TimeProvider.System));
        return services;
    }

    /// <summary>What the mutation panels and pages read: the mutation store and progress, and the service that starts a run.</summary>
    public static IServiceCollection AddMutationPages(this IServiceCollection services)
    {
        services.AddSingleton(Options.Create(new MutationOptions()));
        services.AddSingleton(Options.Create(new CodeCoverageOptions()));
        services.AddSingleton<MutationStore>();
        services.AddSingleton<MutationProgress>();
        return services.AddSingleton<MutationService>();
    }

    /// <summary>Starts what the app's RunSignal does: a run's results and status changes tell the hub.</summary>
    public static async Task<IHostedService> StartRunSignalAsync(this IServiceProvider services)
    {
        var signal = new RunSignal(services.GetRequiredService<RunNotifier>(), services.GetRequiredService<CoverageChanges>());
        await signal.StartAsync(CancellationToken.None);
        return signal;
    }
}

/// <summary>A host environment rooted where the test says (the suite catalog resolves paths from it).</summary>
internal sealed class FixedEnvironment : IHostEnvironment
{
    public string EnvironmentName { get; set; } = "Test";

    public string ApplicationName { get; set; } = "Apex.Coverage.Web";

    public string ContentRootPath { get; set; } = string.Empty;

    public Microsoft.Extensions.FileProviders.IFileProvider ContentRootFileProvider { get; set; } = null!;
}
