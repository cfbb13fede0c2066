using System.Collections.Concurrent;
using Apex.Coverage.Web.Analytics;
using Apex.Coverage.Web.CodeCoverage;
using Apex.Coverage.Web.Plan;
using Apex.Coverage.Web.Runs;
using Microsoft.Extensions.Options;

namespace Apex.Coverage.Web.Mutation;

/// <summary>Why a mutation run cannot be queued, in words a person can act on.</summary>
public sealed record MutationRefusal(string Title, string Detail);

/// <summary>
/// The one entry point for starting and cancelling mutation runs (API, page button, schedule): a
/// request is checked against the plan and the configured modules, stored as queued, and the
/// worker is woken. A cancel ends a queued run at once and stops a running one's Stryker, here or,
/// through the run relay, on the node that runs it (docs/adr/0280).
/// </summary>
public sealed class MutationService(
    MutationStore store, PlanCatalog plan, IOptions<MutationOptions> options, IOptions<RunsOptions> runs,
    IOptions<CodeCoverageOptions> coverage, MutationProgress progress, CoverageReportHub report, RunRelay relay)
{
    /// <summary>The kind of a mutation run's cancel on the relay's channel: its ids are not test runs' ids.</summary>
    internal const string RelayCancelKind = "CancelMutation";

    private readonly ConcurrentDictionary<long, CancellationTokenSource> _running = new();
    private readonly SemaphoreSlim _wake = new(0);

    public string Suite => options.Value.Suite ?? runs.Value.DefaultSuite ?? "L2";

    public double Threshold => options.Value.Threshold;

    /// <summary>The platform modules an item's tests exercise: its category's (Coverage:Categories).</summary>
    public IReadOnlyList<string> ModulesOf(int planItem) =>
        plan.Current?.Document.Items.FirstOrDefault(i => i.Number == planItem) is { } item
        && coverage.Value.Categories.TryGetValue(item.CategorySlug, out var modules) ? modules : [];

    /// <summary>The fully qualified names of the item's tests in the mutation suite, as discovery or results know them.</summary>
    public async Task<IReadOnlyList<string>> TestsOfAsync(int planItem, CancellationToken cancellationToken) =>
        (await report.GetAsync(cancellationToken))?.Item(planItem) is { } item
            ? [.. item.Tests.Where(t => string.Equals(t.Suite, Suite, StringComparison.OrdinalIgnoreCase)).Select(t => t.FullyQualifiedName)]
            : [];

    public async Task<(MutationRun? Run, MutationRefusal? Refusal)> RequestAsync(int planItem, string source, CancellationToken cancellationToken)
    {
        if (plan.Current is not { } snapshot || snapshot.Document.Items.All(i => i.Number != planItem))
        {
            return (null, new MutationRefusal("No such plan item", $"The current plan has no item {planItem}."));
        }

        if (ModulesOf(planItem).Count == 0)
        {
            var slug = snapshot.Document.Items.First(i => i.Number == planItem).CategorySlug;
            return (null, new MutationRefusal("No modules to mutate", $"Name the platform modules of item {planItem}'s category under Coverage:Categories:{slug}."));
        }

        var run = await store.QueueAsync(Suite, planItem, source, cancellationToken);
        _wake.Release();
        await progress.ChangedAsync();
        return (run, null);
    }

    /// <summary>
    /// A queued run ends canceled at once; a running one is stopped here, or asked to stop on the node
    /// that runs it (its Stryker killed there, nothing stored). False when the run is unknown or already over.
    /// </summary>
    public async Task<bool> CancelAsync(long id, CancellationToken cancellationToken)
    {
        if (await store.MoveAsync(id, MutationRunStatus.Queued, MutationRunStatus.Canceled, cancellationToken))
        {
            await progress.ChangedAsync();
            return true;
        }

        if (StopHere(id)) return true;
        return await store.StatusAsync(id, cancellationToken) == MutationRunStatus.Running
            && await relay.RequestCancelAsync(id, RelayCancelKind, cancellationToken);
    }

    /// <summary>True when this node runs <paramref name="id"/>: its worker holds the run's stop.</summary>
    internal bool IsRunningHere(long id) => _running.ContainsKey(id);

    /// <summary>Stops the run if this node runs it (a cancel asked here or relayed from another node).</summary>
    internal bool StopHere(long id)
    {
        if (!_running.TryGetValue(id, out var stop)) return false;
        try
        {
            // Not the synchronous Cancel: a relayed cancel arrives on the relay's listening connection.
            _ = stop.CancelAsync();
            return true;
        }
        catch (ObjectDisposedException)
        {
            return false; // the run ended meanwhile
        }
    }

    internal CancellationTokenSource Track(long id, CancellationToken stopping)
    {
        var stop = CancellationTokenSource.CreateLinkedTokenSource(stopping);
        _running[id] = stop;
        return stop;
    }

    internal void Untrack(long id)
    {
        if (_running.TryRemove(id, out var stop)) stop.Dispose();
    }

    internal Task WaitForWorkAsync(TimeSpan poll, CancellationToken cancellationToken) => _wake.WaitAsync(poll, cancellationToken);
}
