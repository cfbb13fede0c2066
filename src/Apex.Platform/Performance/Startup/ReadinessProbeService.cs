namespace Apex.Platform.Performance.Startup;

/// <summary>
/// Probes the dependencies once while the host starts — before the server listens, so with healthy
/// dependencies the instance is ready on its first request — and, if any is missing, keeps probing
/// in the background until all answer. Until then <see cref="ReadinessGate"/> turns requests away.
/// </summary>
internal sealed class ReadinessProbeService(DependencyProbe probe, ReadinessState state, StartupProfiler profiler,
    IHostApplicationLifetime lifetime, TimeProvider time) : IHostedLifecycleService
{
    public static readonly TimeSpan Interval = TimeSpan.FromMilliseconds(250);
    private readonly CancellationTokenSource _stop = new();
    private Task _retrying = Task.CompletedTask;

    public Task StartingAsync(CancellationToken cancellationToken)
    {
        profiler.Mark(StartupProfiler.HostStarting);
        lifetime.ApplicationStarted.Register(() => profiler.Mark(StartupProfiler.Listening));
        return Task.CompletedTask;
    }

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        if (await ProbeOnceAsync(cancellationToken)) return;
        _retrying = Task.Run(RetryAsync, CancellationToken.None);
    }

    private async Task RetryAsync()
    {
        try
        {
            do
            {
                await Task.Delay(Interval, time, _stop.Token);
            }
            while (!await ProbeOnceAsync(_stop.Token));
        }
        catch (OperationCanceledException)
        {
            // Stopping before the dependencies came: nothing to report.
        }
    }

    private async Task<bool> ProbeOnceAsync(CancellationToken cancellationToken)
    {
        state.Update(await probe.ProbeAsync(cancellationToken));
        if (state.IsReady) profiler.Mark(StartupProfiler.DependenciesReady);
        return state.IsReady;
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        await _stop.CancelAsync();
        await _retrying;
    }

    public Task StartedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StoppingAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StoppedAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
