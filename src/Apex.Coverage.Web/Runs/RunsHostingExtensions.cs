using Apex.Coverage.Web.ApiTokens;
using Apex.Coverage.Web.Data;
using Apex.Coverage.Web.Plan;
using Apex.Coverage.Web.Results;
using Apex.Coverage.Web.Suites;
using Apex.Coverage.Web.Telemetry;
using Apex.Coverage.Web.VsTest;
using Hangfire;
using Hangfire.Dashboard;
using Hangfire.InMemory;
using Hangfire.PostgreSql;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace Apex.Coverage.Web.Runs;

public static class RunsHostingExtensions
{
    /// <summary>Runs: requests, the Hangfire job and its servers (one worker per suite queue), the VSTest session, live progress, start-up recovery.</summary>
    public static IHostApplicationBuilder AddRuns(this IHostApplicationBuilder builder)
    {
        builder.AddResults();
        builder.AddDashboardTelemetry();
        builder.AddSuites();
        builder.AddApiTokens();
        var services = builder.Services;
        services.AddOptions<RunsOptions>().BindConfiguration(RunsOptions.SectionName).ValidateDataAnnotations().ValidateOnStart();
        services.AddOptions<HangfireSettings>().BindConfiguration(HangfireSettings.SectionName).ValidateDataAnnotations().ValidateOnStart();
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<PlanCatalog>();
        services.TryAddSingleton<VsTestConsoleLocator>();
        services.TryAddSingleton<IVsTestWrapperFactory, VsTestWrapperFactory>();
        services.TryAddSingleton<ActiveRuns>();
        services.TryAddSingleton<RunExecutor>();
        services.TryAddSingleton<RunSelectionResolver>();
        services.TryAddSingleton<RunRequests>();
        services.TryAddTransient<RunJob>();
        services.AddOptions<NodeOptions>().BindConfiguration(NodeOptions.SectionName).ValidateDataAnnotations().ValidateOnStart();
        // Before the job servers start: this node's and dead nodes' runs are closed and queued ones
        // queued again; then the heartbeat keeps this node alive and ends dead nodes' runs.
        services.TryAddSingleton<RunRecovery>();
        services.AddHostedService(provider => provider.GetRequiredService<RunRecovery>());
        services.AddHostedService<NodeHeartbeat>();
        // Run updates and cancels between nodes sharing a PostgreSQL store (idle on SQLite).
        services.TryAddSingleton<RunRelay>();
        services.AddHostedService(provider => provider.GetRequiredService<RunRelay>());
        builder.AddRunScheduling();
        return builder;
    }

    private static void AddRunScheduling(this IHostApplicationBuilder builder)
    {
        var services = builder.Services;
        // The storage is this host's own singleton rather than Hangfire's global one, so that
        // several hosts in one process (the tests) never share a queue.
        services.TryAddSingleton<JobStorage>(provider => CreateStorage(provider.GetRequiredService<IOptions<HangfireSettings>>().Value));
        services.AddHangfire((provider, configuration) => configuration
            .SetDataCompatibilityLevel(CompatibilityLevel.Version_180)
            .UseSimpleAssemblyNameTypeSerializer()
            .UseRecommendedSerializerSettings()
            .UseLogProvider(new HangfireLogBridge(provider.GetRequiredService<ILoggerFactory>())));
        // One job server per suite queue and one for schedules (SuiteJobServers says why).
        services.AddHostedService<SuiteJobServers>();
        builder.AddSchedules();
    }

    private static JobStorage CreateStorage(HangfireSettings settings) => settings.Storage switch
    {
        HangfireStorageKind.PostgreSql => new PostgreSqlStorage(
            new Hangfire.PostgreSql.Factories.NpgsqlConnectionFactory(settings.ConnectionString!, SharedQueueOptions()),
            SharedQueueOptions()),
        _ => new InMemoryStorage(new InMemoryStorageOptions()),
    };

    // Several nodes on one queue: a job enqueued by one node wakes the others' workers at once
    // (LISTEN/NOTIFY rather than the 15 s poll), and a run that lasts longer than the invisibility
    // timeout stays with the worker executing it (sliding) instead of being handed to another.
    private static PostgreSqlStorageOptions SharedQueueOptions() => new()
    {
        EnableLongPolling = true,
        UseSlidingInvisibilityTimeout = true,
    };

    public static WebApplication MapRuns(this WebApplication app)
    {
        app.MapRunsApi();
        var settings = app.Services.GetRequiredService<IOptions<HangfireSettings>>().Value;
        app.UseHangfireDashboard("/hangfire", new DashboardOptions
        {
            Authorization = settings.DashboardAllowRemote
                ? [new Access.HangfireAdminFilter()]
                : [new Access.HangfireAdminFilter(), new LocalRequestsOnlyAuthorizationFilter()],
            AppPath = "/runs",
        });
        return app;
    }
}
