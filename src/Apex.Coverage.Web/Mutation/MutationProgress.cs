using System.Collections.Concurrent;
using Apex.Coverage.Web.Results;

namespace Apex.Coverage.Web.Mutation;

/// <summary>
/// Tells watching pages that a mutation run moved (queued, a mutant tested, ended), and holds what a
/// running run has tested so far, so the live page shows it without a database write per mutant.
/// </summary>
public sealed class MutationProgress(ILogger<MutationProgress> logger)
{
    private readonly Notifier _notifier = new(logger);
    private readonly ConcurrentDictionary<long, (int Tested, int Total)> _live = new();

    public IDisposable Subscribe(Func<Task> onChanged) => _notifier.Subscribe(onChanged);

    public (int Tested, int Total)? Live(long runId) => _live.TryGetValue(runId, out var live) ? live : null;

    public Task ReportAsync(long runId, int? tested, int? total)
    {
        _live.AddOrUpdate(runId, _ => (tested ?? 0, total ?? 0), (_, old) => (tested ?? old.Tested, total ?? old.Total));
        return _notifier.PublishAsync();
    }

    public Task EndedAsync(long runId)
    {
        _live.TryRemove(runId, out _);
        return _notifier.PublishAsync();
    }

    public Task ChangedAsync() => _notifier.PublishAsync();
}
