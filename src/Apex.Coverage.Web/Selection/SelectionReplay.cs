using Apex.Coverage.Web.Analytics;
using Apex.Coverage.Web.Results;

namespace Apex.Coverage.Web.Selection;

/// <summary>One test's result in a replayed run.</summary>
public sealed record ReplayResult(TestKey Key, TestOutcome Outcome, double Seconds);

/// <summary>A stored run as the replay sees it: when, and its tests' results.</summary>
public sealed record ReplayRun(long Id, DateTimeOffset At, IReadOnlyList<ReplayResult> Results);

/// <summary>What one strategy caught at one budget (a share of the suite's duration), over every replayed run.</summary>
public sealed record StrategyFigures(string Strategy, double BudgetShare, double FailuresCaught, double MrrAtRiskCaught);

/// <summary>
/// The replay's answer: how many runs and failures it judged, the figures per strategy and
/// budget, and each strategy's mean APFD weighted by MRR (1 is every failure first).
/// </summary>
public sealed record ReplayReport(int RunsReplayed, int RunsWithFailures, int Failures, decimal MrrAtRisk,
    IReadOnlyList<StrategyFigures> Figures, IReadOnlyDictionary<string, double> WeightedApfd);

/// <summary>
/// Replays stored runs in order: before each run, each strategy chooses from what was known then
/// (results of earlier runs only); the run's failures say what the choice would have caught. The
/// MRR-at-risk strategy is <see cref="BudgetSelector"/>; the baselines fill the same budget in
/// alphabetical order and in random order (the mean of several seeded shuffles). Pure.
/// </summary>
public static class SelectionReplay
{
    public const string Risk = "mrr-at-risk";
    public const string Alphabetical = "alphabetical";
    public const string Random = "random";
    public static readonly IReadOnlyList<double> DefaultBudgets = [0.10, 0.25, 0.50];

    public static ReplayReport Replay(
        IReadOnlyList<ReplayRun> runs, IReadOnlyDictionary<TestKey, IReadOnlyList<ItemShare>> items, IReadOnlyList<double> budgets,
        RiskWeights weights, int window = 20, int shuffles = 20, int seed = 16)
    {
        var history = new Dictionary<TestKey, List<RecordedOutcome>>();
        var tally = new Tally(budgets);
        foreach (var run in runs.OrderBy(r => r.Id))
        {
            var results = run.Results.GroupBy(r => r.Key).Select(g => g.Any(r => r.Outcome == TestOutcome.Failed) ? g.First(r => r.Outcome == TestOutcome.Failed) : g.First()).ToList();
            if (history.Count > 0)
            {
                ReplayOne(run, results, history, items, weights, tally, shuffles, seed);
            }

            foreach (var result in results)
            {
                var list = history.TryGetValue(result.Key, out var known) ? known : history[result.Key] = [];
                list.Insert(0, new RecordedOutcome(run.Id, result.Outcome, null, result.Seconds, null, run.At));
                if (list.Count > window)
                {
                    list.RemoveAt(list.Count - 1);
                }
            }
        }

        return tally.Report();
    }

    private static void ReplayOne(ReplayRun run, List<ReplayResult> results, Dictionary<TestKey, List<RecordedOutcome>> history,
        IReadOnlyDictionary<TestKey, IReadOnlyList<ItemShare>> items, RiskWeights weights, Tally tally, int shuffles, int seed)
    {
        var candidates = results.Select(r => new SelectionCandidate(r.Key, items.GetValueOrDefault(r.Key) ?? [],
            history.TryGetValue(r.Key, out var h) ? h : [])).ToList();
        var scored = BudgetSelector.Score(candidates, run.At, weights).ToDictionary(s => s.Key);
        var mrr = candidates.ToDictionary(c => c.Key, c => c.Mrr);
        var failing = results.Where(r => r.Outcome == TestOutcome.Failed).Select(r => r.Key).ToHashSet();
        var duration = results.Sum(r => r.Seconds);
        tally.Run(failing.Count, failing.Sum(k => mrr[k]));
        var alphabetical = candidates.Select(c => c.Key).OrderBy(k => k.FullyQualifiedName, StringComparer.Ordinal).ToList();
        var randoms = Enumerable.Range(0, shuffles).Select(i => Shuffle(alphabetical, seed + (int)run.Id * 7919 + i)).ToList();
        foreach (var share in tally.Budgets)
        {
            var budget = TimeSpan.FromSeconds(share * duration);
            var chosen = BudgetSelector.Select(candidates, budget, run.At, weights).Selected.Select(s => s.Key).ToHashSet();
            tally.Add(Risk, share, Caught(chosen, failing, mrr));
            tally.Add(Alphabetical, share, Caught(Fill(alphabetical, scored, budget.TotalSeconds), failing, mrr));
            tally.Add(Random, share, Mean(randoms.Select(order => Caught(Fill(order, scored, budget.TotalSeconds), failing, mrr)).ToList()));
        }

        if (failing.Sum(k => mrr[k]) > 0m)
        {
            var riskOrder = BudgetSelector.Select(candidates, TimeSpan.MaxValue, run.At, weights).Selected.Select(s => s.Key).ToList();
            tally.Apfd(Risk, WeightedApfd(riskOrder, failing, mrr));
            tally.Apfd(Alphabetical, WeightedApfd(alphabetical, failing, mrr));
            tally.Apfd(Random, randoms.Average(order => WeightedApfd(order, failing, mrr)));
        }
    }

    /// <summary>The order's tests while they fit, skipping one that does not (the same rule as the selector).</summary>
    private static HashSet<TestKey> Fill(IReadOnlyList<TestKey> order, IReadOnlyDictionary<TestKey, ScoredTest> scored, double seconds)
    {
        var chosen = new HashSet<TestKey>();
        foreach (var key in order)
        {
            var cost = scored[key].Terms.ExpectedSeconds;
            if (cost <= seconds)
            {
                seconds -= cost;
                chosen.Add(key);
            }
        }

        return chosen;
    }

    private static (double Failures, decimal Mrr) Caught(HashSet<TestKey> chosen, HashSet<TestKey> failing, Dictionary<TestKey, decimal> mrr) =>
        (failing.Count(chosen.Contains), failing.Where(chosen.Contains).Sum(k => mrr[k]));

    private static (double Failures, decimal Mrr) Mean(List<(double Failures, decimal Mrr)> all) =>
        (all.Average(a => a.Failures), all.Sum(a => a.Mrr) / all.Count);

    /// <summary>
    /// APFD with each failing test a fault weighted by its MRR: 1 − Σ wᵢ·posᵢ ÷ (n·Σ wᵢ) + 1 ÷ 2n,
    /// positions counted from 1 in an order of n tests.
    /// </summary>
    public static double WeightedApfd(IReadOnlyList<TestKey> order, IReadOnlySet<TestKey> failing, IReadOnlyDictionary<TestKey, decimal> mrr)
    {
        var n = order.Count;
        var total = failing.Sum(k => (double)mrr.GetValueOrDefault(k));
        if (n == 0 || total == 0)
        {
            return 0;
        }

        var weighted = order.Select((key, i) => failing.Contains(key) ? (double)mrr.GetValueOrDefault(key) * (i + 1) : 0).Sum();
        return 1 - (weighted / (n * total)) + (1.0 / (2 * n));
    }

    private static List<TestKey> Shuffle(List<TestKey> keys, int seed)
    {
        var copy = keys.ToList();
        new System.Random(seed).Shuffle(System.Runtime.InteropServices.CollectionsMarshal.AsSpan(copy));
        return copy;
    }

    private sealed class Tally(IReadOnlyList<double> budgets)
    {
        private readonly Dictionary<(string, double), (double Failures, decimal Mrr)> _caught = [];
        private readonly Dictionary<string, List<double>> _apfd = [];
        private int _runs, _withFailures, _failures;
        private decimal _mrr;

        public IReadOnlyList<double> Budgets => budgets;

        public void Run(int failures, decimal mrr) =>
            (_runs, _withFailures, _failures, _mrr) = (_runs + 1, _withFailures + (failures > 0 ? 1 : 0), _failures + failures, _mrr + mrr);

        public void Add(string strategy, double share, (double Failures, decimal Mrr) caught)
        {
            var sum = _caught.GetValueOrDefault((strategy, share));
            _caught[(strategy, share)] = (sum.Failures + caught.Failures, sum.Mrr + caught.Mrr);
        }

        public void Apfd(string strategy, double value) => (_apfd.TryGetValue(strategy, out var list) ? list : _apfd[strategy] = []).Add(value);

        public ReplayReport Report() => new(_runs, _withFailures, _failures, _mrr,
            [.. _caught.OrderBy(p => p.Key.Item2).ThenBy(p => p.Key.Item1).Select(p => new StrategyFigures(p.Key.Item1, p.Key.Item2,
                _failures == 0 ? 0 : p.Value.Failures / _failures, _mrr == 0m ? 0 : (double)(p.Value.Mrr / _mrr)))],
            _apfd.ToDictionary(p => p.Key, p => p.Value.Average()));
    }
}
