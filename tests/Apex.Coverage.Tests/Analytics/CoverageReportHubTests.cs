using Apex.Coverage.Web.Access;
using System.Diagnostics.Metrics;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Apex.Coverage.Tests.Fixtures;
using Apex.Coverage.Web.Analytics;
using Apex.Coverage.Web.Data;
using Apex.Coverage.Web.Results;
using Apex.Coverage.Web.Telemetry;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using static Apex.Coverage.Tests.Analytics.History;

namespace Apex.Coverage.Tests.Analytics;

/// <summary>
/// The report computed once per change for the whole server, the trend recorded when a run ends,
/// and the paged tests API — through one real host (its own database and plan).
/// </summary>
public sealed class CoverageReportHubTests : IClassFixture<CoverageReportHubTests.Host>
{
    private const string AuthTest = "Apex.Integration.Auth.OAuthFlowTests.CodeExchange_IssuesJwt";
    private readonly Host _host;

    public CoverageReportHubTests(Host host) => _host = host;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private IServiceProvider Services => _host.Factory.Services;

    private IDbContextFactory<CoverageDbContext> Databases => Services.GetRequiredService<IDbContextFactory<CoverageDbContext>>();

    [Fact]
    public async Task GetAsync_ComputesOnceForConcurrentReaders_AndAgainOnlyAfterAChange()
    {
        var hub = Services.GetRequiredService<CoverageReportHub>();
        var changes = Services.GetRequiredService<CoverageChanges>();
        changes.Notify();
        using var computations = new ReportComputations(Services.GetRequiredService<IMeterFactory>());

        var reports = await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => hub.GetAsync(Ct)));
        var again = await hub.GetAsync(Ct);
        var once = computations.Count;
        changes.Notify();
        var afterChange = await hub.GetAsync(Ct);

        Assert.Equal(1, once);
        Assert.All(reports, r => Assert.Same(reports[0], r));
        Assert.Same(reports[0], again);
        Assert.NotSame(again, afterChange);
        Assert.Equal(2, computations.Count);
    }

    [Fact]
    public async Task RunEnded_RecordsTrendPointAndRefreshesTheApiReport_WithNoPageOpen()
    {
        await DiscoverAsync(Databases, AuthTest, "1");
        var runId = await RunAsync(Databases, "c1", (AuthTest, P));

        Services.GetRequiredService<RunNotifier>().Publish(new RunUpdate(runId, RunUpdateKind.Ended));

        var newest = await Eventually.ThatAsync(NewestSnapshotAsync, s => s is not null && s.AsOfResultId > 0, "a trend point after the run");
        using var client = await _host.Factory.CreateSignedInClientAsync(DashboardRoles.Viewer);
        var coverage = await client.GetFromJsonAsync<JsonElement>("/api/v1/coverage", Ct);
        var item = coverage.GetProperty("items").EnumerateArray().Single(i => i.GetProperty("number").GetInt32() == 1);
        Assert.Equal("passing", item.GetProperty("status").GetString());
        Assert.Equal("l2", item.GetProperty("tests")[0].GetProperty("suite").GetString());
        Assert.True(newest!.Passing >= 1);
    }

    [Fact]
    public async Task GetTests_AnswersPagesInSuiteThenNameOrder_AndRefusesATakeAboveTheBound()
    {
        for (var i = 0; i < 5; i++)
        {
            await DiscoverAsync(Databases, $"Paging.Test{i}", "");
        }

        using var client = await _host.Factory.CreateSignedInClientAsync(DashboardRoles.Viewer);
        var page = await client.GetFromJsonAsync<JsonElement>("/api/v1/tests?suite=l2&take=2&skip=1", Ct);
        var all = await client.GetFromJsonAsync<JsonElement>("/api/v1/tests?suite=l2", Ct);
        using var tooMany = await client.GetAsync("/api/v1/tests?take=1001", Ct);

        var names = all.EnumerateArray().Select(t => t.GetProperty("fullyQualifiedName").GetString()).ToList();
        Assert.Equal(names.Skip(1).Take(2), page.EnumerateArray().Select(t => t.GetProperty("fullyQualifiedName").GetString()));
        Assert.Equal(names.Order(StringComparer.Ordinal), names);
        Assert.Equal(HttpStatusCode.BadRequest, tooMany.StatusCode);
    }

    private async Task<CoverageSnapshot?> NewestSnapshotAsync()
    {
        await using var db = await Databases.CreateDbContextAsync(Ct);
        return await db.CoverageSnapshots.AsNoTracking().OrderByDescending(s => s.AsOfResultId).FirstOrDefaultAsync(Ct);
    }

    /// <summary>Counts report computations through the dashboard's own metric.</summary>
    private sealed class ReportComputations : IDisposable
    {
        private readonly MeterListener _listener = new();
        private int _count;

        // Only this host's meter (its IMeterFactory is the scope): other hosts in the process record too.
        public ReportComputations(IMeterFactory hostMeters)
        {
            _listener.InstrumentPublished = (instrument, listener) =>
            {
                if (instrument.Meter.Name == DashboardTelemetry.Name && instrument.Name == "apex.report.duration" && instrument.Meter.Scope == hostMeters)
                {
                    listener.EnableMeasurementEvents(instrument);
                }
            };
            _listener.SetMeasurementEventCallback<double>((_, _, _, _) => Interlocked.Increment(ref _count));
            _listener.Start();
        }

        public int Count => Volatile.Read(ref _count);

        public void Dispose() => _listener.Dispose();
    }

    public sealed class Host : IAsyncLifetime
    {
        public PlanHostFactory Factory { get; } = new();

        public ValueTask InitializeAsync()
        {
            _ = Factory.Server;
            return ValueTask.CompletedTask;
        }

        public async ValueTask DisposeAsync() => await Factory.DisposeAsync();
    }
}
