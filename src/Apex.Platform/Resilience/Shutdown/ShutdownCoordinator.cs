using Microsoft.Extensions.Options;

namespace Apex.Platform.Resilience.Shutdown;

/// <summary>
/// The shutdown coordinator of one instance, and its job worker. It follows the kill switch: while
/// engaged, intake is refused and the job in flight is drained — the unit being done finishes, no
/// further unit starts, and the job is saved as suspended at its cursor. When the switch is
/// released, or a fresh instance starts, suspended jobs are resumed from their saved cursor.
/// </summary>
public sealed class ShutdownCoordinator(KillSwitch killSwitch, JobStore jobs, IOptions<ShutdownOptions> options,
    IOptions<ResilienceOptions> service, TimeProvider time) : BackgroundService
{
    private readonly SemaphoreSlim _wake = new(0);
    private readonly string _owner = $"{service.Value.ServiceName}-{Guid.NewGuid():N}";
    private volatile string? _stoppedBecause;
    private int _inFlight;

    public bool IntakeOpen => _stoppedBecause is null;

    public string? StoppedBecause => _stoppedBecause;

    public int InFlight => Volatile.Read(ref _inFlight);

    /// <summary>New work was accepted: look for it now rather than at the next change of the switch.</summary>
    public void Wake() => _wake.Release();

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        _stoppedBecause = await killSwitch.ReasonAsync();
        await killSwitch.SubscribeAsync(reason =>
        {
            _stoppedBecause = reason;
            if (reason is null) Wake();
        });
        while (!stoppingToken.IsCancellationRequested)
        {
            while (IntakeOpen && await jobs.ClaimAsync(_owner, stoppingToken) is { } job) await RunAsync(job, stoppingToken);
            await _wake.WaitAsync(stoppingToken);
        }
    }

    private async Task RunAsync(JobRow job, CancellationToken stoppingToken)
    {
        Interlocked.Increment(ref _inFlight);
        try
        {
            for (var unit = job.NextUnit; unit < job.Units; unit++)
            {
                if (!IntakeOpen)
                {
                    await jobs.SuspendAsync(job.Id);
                    return;
                }

                await DoUnitAsync(job, stoppingToken);
                await jobs.ApplyAsync(job, unit, CancellationToken.None);
            }
        }
        finally
        {
            Interlocked.Decrement(ref _inFlight);
        }
    }

    /// <summary>The unit's work takes its time; a host stopping mid-unit saves the job without applying the unit.</summary>
    private async Task DoUnitAsync(JobRow job, CancellationToken stoppingToken)
    {
        try
        {
            await Task.Delay(options.Value.UnitDuration, time, stoppingToken);
        }
        catch (OperationCanceledException)
        {
            await jobs.SuspendAsync(job.Id);
            throw;
        }
    }

    public override void Dispose()
    {
        _wake.Dispose();
        base.Dispose();
    }
}

public sealed class ShutdownOptions
{
    public const string SectionName = "Platform:Resilience:Shutdown";

    /// <summary>How long one unit of a job's work takes.</summary>
    public TimeSpan UnitDuration { get; set; } = TimeSpan.FromSeconds(1);
}
