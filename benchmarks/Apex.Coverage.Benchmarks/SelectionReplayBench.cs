using System.Globalization;
using Apex.Coverage.Web.Analytics;
using Apex.Coverage.Web.Plan;
using Apex.Coverage.Web.Results;
using Apex.Coverage.Web.Selection;

namespace Apex.Coverage.Benchmarks;

/// <summary>
/// `dotnet run -c Release --project benchmarks/Apex.Coverage.Benchmarks -- replay [runs] [seed]`:
/// replays a simulated history of the real plan's suite through the dashboard's own
/// <see cref="SelectionReplay"/> and prints, for budgets of 10/25/50 % of each run's duration,
/// the share of failing tests and of MRR at risk each strategy would have caught.
/// The world: four tests per plan item with log-normal durations (median 2 s); each test fails
/// by chance rarely (0.2 %), a tenth of them are fragile (3 %), a twentieth flaky (20 %), and
/// regressions land at random (about one per run) on a test and stay until fixed 1–6 runs later.
/// </summary>
public static class SelectionReplayBench
{
    public static async Task RunAsync(string[] args)
    {
        var runs = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 300;
        var seed = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 16;
        var plan = PlanParser.Parse(await File.ReadAllTextAsync(Path.Combine(AppContext.BaseDirectory, "L2_TEST_PLAN.md"))).Document;
        var shares = CoverageCalculator.ItemShares(plan);
        var random = new Random(seed);
        var tests = plan.Items.SelectMany(item => Enumerable.Range(1, 4).Select(i => new SimulatedTest(
            new TestKey("l2", $"Apex.L2.Item{item.Number:000}.Test{i}"), item.Number, shares.GetValueOrDefault(item.Number) / 4,
            Math.Exp(Math.Log(2) + (1.0 * Gaussian(random))), random.NextDouble() switch { < 0.05 => 0.20, < 0.15 => 0.03, _ => 0.002 }))).ToList();
        var history = Simulate(tests, runs, random);
        var items = tests.ToDictionary(t => t.Key, t => (IReadOnlyList<ItemShare>)[new ItemShare(t.Item, t.Mrr)]);
        var report = SelectionReplay.Replay(history, items, SelectionReplay.DefaultBudgets, RiskWeights.Default);
        Print(report, tests.Count, runs, seed);
    }

    private sealed record SimulatedTest(TestKey Key, int Item, decimal Mrr, double Seconds, double Chance);

    private static List<ReplayRun> Simulate(List<SimulatedTest> tests, int runs, Random random)
    {
        var broken = new Dictionary<TestKey, int>();
        var start = new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);
        var history = new List<ReplayRun>();
        for (var run = 1; run <= runs; run++)
        {
            // About one regression per run, on a random test, fixed 1-6 runs later.
            if (random.NextDouble() < 0.8)
            {
                broken[tests[random.Next(tests.Count)].Key] = run + random.Next(1, 7);
            }

            var results = tests.Select(t => new ReplayResult(t.Key,
                (broken.TryGetValue(t.Key, out var until) && run < until) || random.NextDouble() < t.Chance ? TestOutcome.Failed : TestOutcome.Passed,
                t.Seconds * (0.8 + (0.4 * random.NextDouble())))).ToList();
            history.Add(new ReplayRun(run, start.AddHours(run * 6), results));
        }

        return history;
    }

    private static double Gaussian(Random random) =>
        Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble());

    private static void Print(ReplayReport report, int tests, int runs, int seed)
    {
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"Replay of {runs} simulated runs of {tests} tests (seed {seed}): {report.RunsReplayed} replayed, {report.RunsWithFailures} with failures, {report.Failures} failing results, ${report.MrrAtRisk:0} MRR at risk in all."));
        Console.WriteLine("| budget | strategy | failing tests caught | MRR at risk caught |");
        Console.WriteLine("| ---: | --- | ---: | ---: |");
        foreach (var f in report.Figures)
        {
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"| {f.BudgetShare:P0} | {f.Strategy} | {f.FailuresCaught:P1} | {f.MrrAtRiskCaught:P1} |"));
        }

        Console.WriteLine("APFD weighted by MRR: " + string.Join(", ", report.WeightedApfd.OrderByDescending(p => p.Value)
            .Select(p => string.Create(CultureInfo.InvariantCulture, $"{p.Key} {p.Value:0.000}"))));
    }
}
