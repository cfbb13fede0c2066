using Apex.Coverage.Web.Runs;

namespace Apex.Coverage.Web.Analytics;

/// <summary>
/// Passes the runner's "a result was recorded" and "a run changed state" on to
/// <see cref="CoverageChanges"/>, so watching pages follow a run live. The runner is optional in a
/// host (tests, CI-only nodes): without its notifier this does nothing.
/// </summary>
internal sealed class RunSignal(IServiceProvider services, CoverageChanges changes) : IHostedService
{
    private IDisposable? _subscription;

    public Task StartAsync(CancellationToken cancellationToken)
    {
        _subscription = services.GetService<RunNotifier>()?.Subscribe(null, update =>
        {
            if (update.Kind is RunUpdateKind.Result or RunUpdateKind.Status)
            {
                changes.Notify();
            }
        });
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken)
    {
        _subscription?.Dispose();
        return Task.CompletedTask;
    }
}
