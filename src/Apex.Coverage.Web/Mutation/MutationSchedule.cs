using Apex.Coverage.Web.Analytics;
using Hangfire;
using Microsoft.Extensions.Options;

namespace Apex.Coverage.Web.Mutation;

/// <summary>
/// The scheduled mutation runs (Hangfire, beside the run schedules): each firing queues the
/// Mutation:ItemsPerSchedule items with tests whose last mutation run ended longest ago, never-tried first
/// (a run that ended over its budget counts as tried, so one large item cannot hold the schedule every night).
/// Takes no arguments and only queues, so running it twice queues twice at worst and never
/// runs two at once (the worker takes one at a time).
/// </summary>
public sealed class MutationScheduleJob(MutationService service, MutationStore store, CoverageReportHub coverage, IOptions<MutationOptions> options)
{
    public const string JobId = "mutation";

    public async Task QueueAsync(CancellationToken cancellationToken)
    {
        if (await coverage.GetAsync(cancellationToken) is not { } report) return;
        var tried = await store.LastAttemptPerItemAsync(service.Suite, cancellationToken);
        var due = report.Items.Where(i => i.Tests.Count > 0)
            .OrderBy(i => tried.TryGetValue(i.Item.Number, out var at) ? at : DateTimeOffset.MinValue)
            .ThenBy(i => i.Item.Number)
            .Take(options.Value.ItemsPerSchedule);
        foreach (var item in due)
        {
            await service.RequestAsync(item.Item.Number, "schedule", cancellationToken);
        }
    }
}

/// <summary>Registers (or removes) the recurring job from Mutation:Cron when the host starts.</summary>
internal sealed class MutationScheduleRegistration(IRecurringJobManager recurring, IOptions<MutationOptions> options) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        if (string.IsNullOrWhiteSpace(options.Value.Cron))
        {
            recurring.RemoveIfExists(MutationScheduleJob.JobId);
        }
        else
        {
            recurring.AddOrUpdate<MutationScheduleJob>(MutationScheduleJob.JobId, "default", job => job.QueueAsync(CancellationToken.None),
                options.Value.Cron, new RecurringJobOptions { TimeZone = TimeZoneInfo.Utc });
        }

        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
