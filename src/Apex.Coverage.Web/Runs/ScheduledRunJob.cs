using System.ComponentModel;
using Apex.Coverage.Web.Results;
using Hangfire;

namespace Apex.Coverage.Web.Runs;

/// <summary>A schedule firing: it takes the schedule's name and starts a run of source schedule.</summary>
public sealed class ScheduledRunJob(ScheduleBook schedules, RunRequests requests)
{
    [DisplayName("Schedule {0}")]
    [AutomaticRetry(Attempts = 0)]
    public async Task StartAsync(string schedule, CancellationToken cancellationToken)
    {
        if (await schedules.FindAsync(schedule, cancellationToken) is { Enabled: true } definition)
        {
            await requests.StartAsync(definition.Suite, definition.Selection, RunSource.Schedule, definition.CollectCoverage, null, cancellationToken);
        }
    }
}

/// <summary>Registers the schedules as recurring jobs at start; a bad cron stops the app naming its key.</summary>
internal sealed class ScheduleRegistrar(ScheduleBook schedules) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken) => schedules.ApplyAllAsync(cancellationToken);

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}

public static class ScheduleHostingExtensions
{
    public static IHostApplicationBuilder AddSchedules(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<ScheduleOptions>().BindConfiguration(ScheduleOptions.SectionName);
        builder.Services.AddSingleton<ScheduleBook>();
        builder.Services.AddTransient<ScheduledRunJob>();
        builder.Services.AddHostedService<ScheduleRegistrar>();
        return builder;
    }
}
