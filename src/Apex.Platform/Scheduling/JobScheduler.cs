using Microsoft.Extensions.Options;
using Npgsql;

namespace Apex.Platform.Scheduling;

/// <summary>
/// Runs the registered jobs on the platform's clock. On every tick each instance offers to run each
/// job whose slot is due; the job's advisory lock lets one instance in at a time, and under it the
/// job's last finished slot says whether the work is still to do. A run that throws, or whose
/// instance dies, leaves its slot due, so the next tick (here or elsewhere) runs it again.
/// </summary>
internal sealed class JobScheduler(
    IEnumerable<ScheduledJob> jobs, NpgsqlDataSource dataSource, IServiceScopeFactory scopes, IOptions<SchedulingOptions> options, TimeProvider time,
    SchedulerActivity activity, ILogger<JobScheduler> logger) : BackgroundService
{
    private readonly List<ScheduledJob> _jobs = [.. jobs];
    private readonly Dictionary<string, DateTimeOffset> _finished = [];
    private PeriodicTimer? _timer;

    /// <summary>Jobs are registered and the timer started before the host takes requests: a clock moved after start is seen.</summary>
    public override async Task StartAsync(CancellationToken cancellationToken)
    {
        if (!options.Value.Enabled) return;
        activity.InstanceName = options.Value.InstanceName ?? $"{Environment.MachineName}:{Environment.ProcessId}:{Guid.NewGuid().ToString("N")[..8]}";
        var now = time.GetUtcNow();
        foreach (var job in _jobs) await JobLock.RegisterAsync(dataSource, job, now, cancellationToken);
        _timer = new PeriodicTimer(options.Value.Tick, time);
        await base.StartAsync(cancellationToken);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        // A tick that fell due while the previous one ran is taken right after it, never dropped.
        while (await _timer!.WaitForNextTickAsync(stoppingToken))
        {
            var startedAt = time.GetUtcNow();
            foreach (var job in _jobs) await OfferAsync(job, startedAt, stoppingToken);
            activity.TickCompleted(startedAt);
        }
    }

    public override void Dispose()
    {
        _timer?.Dispose();
        base.Dispose();
    }

    private async Task OfferAsync(ScheduledJob job, DateTimeOffset now, CancellationToken stoppingToken)
    {
        var slot = job.Slot(now);
        if (_finished.TryGetValue(job.Name, out var finished) && finished >= slot) return;
        try
        {
            activity.Record(new JobAttempt(job.Name, slot, await TryRunAsync(job, slot, stoppingToken)));
        }
        catch (Exception exception) when (!stoppingToken.IsCancellationRequested)
        {
            // The database is out of reach (or the bookkeeping failed): the slot stays due for the next tick.
            logger.LogWarning(exception, "Job {Job} not offered for slot {Slot}", job.Name, slot);
        }
    }

    private async Task<JobOutcome> TryRunAsync(ScheduledJob job, DateTimeOffset slot, CancellationToken stoppingToken)
    {
        await using var taken = await JobLock.TryTakeAsync(dataSource, job.Name, stoppingToken);
        if (taken is null) return JobOutcome.Busy;
        var last = await taken.LastSlotAsync(stoppingToken);
        if (last >= slot)
        {
            _finished[job.Name] = last;
            return JobOutcome.NotDue;
        }

        var runId = await taken.StartRunAsync(slot, activity.InstanceName, time.GetUtcNow(), stoppingToken);
        var error = await RunAsync(job, slot, stoppingToken);
        await taken.FinishRunAsync(runId, slot, error, time.GetUtcNow(), stoppingToken);
        if (error is not null) return JobOutcome.Failed;
        _finished[job.Name] = slot;
        return JobOutcome.Succeeded;
    }

    /// <summary>The job's own failure, as text for the run log; a stop of the host propagates and leaves the run marked running.</summary>
    private async Task<string?> RunAsync(ScheduledJob job, DateTimeOffset slot, CancellationToken stoppingToken)
    {
        try
        {
            await using var scope = scopes.CreateAsyncScope();
            await ((IScheduledJob)scope.ServiceProvider.GetRequiredService(job.JobType)).RunAsync(slot, stoppingToken);
            return null;
        }
        catch (Exception exception) when (!stoppingToken.IsCancellationRequested)
        {
            logger.LogError(exception, "Job {Job} failed for slot {Slot}; it runs again on the next tick", job.Name, slot);
            return $"{exception.GetType().Name}: {exception.Message}";
        }
    }
}
