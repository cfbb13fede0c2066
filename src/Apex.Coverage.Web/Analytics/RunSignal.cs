using Apex.Coverage.Web.Results;

namespace Apex.Coverage.Web.Analytics;

/// <summary>
/// Passes the runner's "a result was recorded" and "a run changed state" on to
/// <see cref="CoverageChanges"/>, so watching pages follow a run live. The notifier belongs to the
/// shared Results module, so this depends on it and not on the runner.
/// </summary>
internal sealed class RunSignal(RunNotifier notifier, CoverageChanges changes) : IHostedService
{
    private IDisposable? _subscription;

    public Task StartAsync(CancellationToken cancellationToken)
    {
        _subscription = notifier.Subscribe(null, update =>
        {
            if (update.Kind is RunUpdateKind.Result or RunUpdateKind.Status or RunUpdateKind.Ended)
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
