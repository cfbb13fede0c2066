using Apex.Coverage.Web.Access;
using System.Net.Http.Json;
using System.Text.Json;
using Apex.Coverage.Tests.CiReports;
using Apex.Coverage.Tests.Fixtures;
using Apex.Coverage.Web.Data;
using Apex.Coverage.Web.Results;
using Apex.Coverage.Web.Selection;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Apex.Coverage.Tests.Selection;

/// <summary>The replay over history: pure figures on a made history, and the API and page over stored runs.</summary>
public sealed class SelectionReplayTests
{
    private static readonly DateTimeOffset Start = new(2026, 11, 1, 0, 0, 0, TimeSpan.Zero);

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static TestKey Key(string name) => new("s", name);

    /// <summary>
    /// Ten cheap tests that never fail ("A0".."A9", alphabetically first, $10 each) and one costly
    /// test ("Z", $10,000) that fails in every other run: a quarter of the time only fits the cheap
    /// ones in alphabetical order, and Z after its first failure by MRR at risk.
    /// </summary>
    private static List<ReplayRun> History(int runs) => [.. Enumerable.Range(1, runs).Select(run => new ReplayRun(run, Start.AddHours(run),
        [.. Enumerable.Range(0, 10).Select(i => new ReplayResult(Key($"A{i}"), TestOutcome.Passed, 1)),
         new ReplayResult(Key("Z"), run % 2 == 0 ? TestOutcome.Failed : TestOutcome.Passed, 2)]))];

    private static Dictionary<TestKey, IReadOnlyList<ItemShare>> Items() =>
        Enumerable.Range(0, 10).ToDictionary(i => Key($"A{i}"), i => (IReadOnlyList<ItemShare>)[new ItemShare(1, 10m)])
            .Append(new KeyValuePair<TestKey, IReadOnlyList<ItemShare>>(Key("Z"), [new ItemShare(2, 10_000m)])).ToDictionary();

    [Fact]
    public void Replay_CatchesTheCostlyFailureByRiskButNotAlphabetically_WhenBudgetIsAQuarter()
    {
        var report = SelectionReplay.Replay(History(10), Items(), [0.25, 0.5], RiskWeights.Default);
        StrategyFigures Figure(string strategy, double share) => report.Figures.Single(f => f.Strategy == strategy && f.BudgetShare == share);

        Assert.Equal((9, 5, 5), (report.RunsReplayed, report.RunsWithFailures, report.Failures));
        Assert.Equal(1.0, Figure(SelectionReplay.Risk, 0.25).MrrAtRiskCaught, 6);
        Assert.Equal(0.0, Figure(SelectionReplay.Alphabetical, 0.25).FailuresCaught, 6);
        Assert.InRange(Figure(SelectionReplay.Random, 0.25).FailuresCaught, 0.01, 0.99);
        Assert.True(report.WeightedApfd[SelectionReplay.Risk] > report.WeightedApfd[SelectionReplay.Alphabetical]);
    }

    [Fact]
    public void WeightedApfd_IsNearOneWhenTheFailureComesFirstAndLowWhenLast()
    {
        var order = new[] { Key("a"), Key("b"), Key("c"), Key("d") };
        var mrr = order.ToDictionary(k => k, _ => 100m);

        var first = SelectionReplay.WeightedApfd(order, new HashSet<TestKey> { Key("a") }, mrr);
        var last = SelectionReplay.WeightedApfd(order, new HashSet<TestKey> { Key("d") }, mrr);

        Assert.Equal(1 - (1.0 / 4) + (1.0 / 8), first, 9);
        Assert.Equal(1 - (4.0 / 4) + (1.0 / 8), last, 9);
    }

    [Fact]
    public async Task ReplayApiAndPage_ReportThreeStrategiesAtThreeBudgets_OverStoredRuns()
    {
        await using var host = new PlanHostFactory();
        var databases = host.Services.GetRequiredService<IDbContextFactory<CoverageDbContext>>();
        await StoredRuns.DiscoverAsync(databases, "Apex.L2.A", "1");
        await StoredRuns.DiscoverAsync(databases, "Apex.L2.B", "2");
        foreach (var (commit, outcome) in new[] { ("a", "P"), ("b", "F"), ("c", "F"), ("d", "P") })
        {
            await StoredRuns.RunAsync(databases, "main", commit, ("Apex.L2.A", "P"), ("Apex.L2.B", outcome));
        }

        using var client = await host.CreateSignedInClientAsync(DashboardRoles.Viewer);
        var report = await client.GetFromJsonAsync<JsonElement>("/api/v1/selection/replay?suite=l2", Ct);
        var html = await client.GetStringAsync("/selection/replay?suite=l2", Ct);

        Assert.Equal((3, 2), (report.GetProperty("runsReplayed").GetInt32(), report.GetProperty("failures").GetInt32()));
        Assert.Equal(9, report.GetProperty("figures").GetArrayLength());
        Assert.Equal(3, report.GetProperty("weightedApfd").EnumerateObject().Count());
        Assert.Contains("data-testid=\"replay-table\"", html, StringComparison.Ordinal);
    }
}
