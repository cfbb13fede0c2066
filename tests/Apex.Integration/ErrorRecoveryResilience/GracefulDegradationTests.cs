using System.Net;
using System.Net.Http.Json;
using Apex.Integration.ErrorRecoveryResilience.Support;
using Apex.Integration.Fakes;
using Apex.Integration.Infrastructure;
using Apex.Platform.Resilience.Degradation;
using Microsoft.Extensions.Time.Testing;
using static Apex.Integration.ErrorRecoveryResilience.Support.ResilienceApi;

namespace Apex.Integration.ErrorRecoveryResilience;

/// <summary>
/// Plan item 89: a notes service keeps its notes in PostgreSQL and their usage analytics in the
/// shared ClickHouse, reached through a proxy that can take ClickHouse off the network. The
/// Analytics feature (Microsoft.FeatureManagement) is switched by ClickHouse's health: off, with a
/// notice users see, while it is down — notes keep working — and on again once a re-check on the
/// platform's clock finds it back.
/// </summary>
[PlanItem(89)]
[BusinessValue("All tiers", "Users keep working when an optional subsystem fails, and are told what is missing",
    "Partial availability worth $8K MRR user retention", "Degrading instead of failing keeps core workflows inside the SLA")]
public sealed class GracefulDegradationTests(PostgresServer postgres, RedisServer redis, ClickHouseServer clickhouse) : IAsyncLifetime
{
    private readonly FakeTimeProvider _clock = new(DateTimeOffset.UtcNow);
    private FaultyHttpProxy _clickhouseLink = null!;
    private PlatformInstance _notes = null!;

    public async ValueTask InitializeAsync()
    {
        _clickhouseLink = await FaultyHttpProxy.StartNewAsync(clickhouse.Endpoint);
        var database = await postgres.CreateDatabaseAsync(nameof(GracefulDegradationTests));
        _notes = await StartServiceAsync(database, redis.ConnectionString, RedisServer.NewKeyPrefix("item89"), "notes", _clock, new Dictionary<string, string?>
        {
            ["Platform:ClickHouse:Endpoint"] = _clickhouseLink.BaseAddress.ToString(),
            ["Platform:ClickHouse:Database"] = await clickhouse.CreateDatabaseAsync(nameof(GracefulDegradationTests)),
            ["Platform:Resilience:Degradation:RecheckAfter"] = "00:00:10",
        });
    }

    public async ValueTask DisposeAsync()
    {
        await _notes.DisposeAsync();
        await _clickhouseLink.DisposeAsync();
    }

    [Fact]
    public async Task Analytics_DegradesWithANotice_WhileNotesKeepWorking_WhenClickHouseIsDown()
    {
        var before = await AddNoteAsync("written while all is well");
        var (_, usageBefore) = await _notes.GetJsonAsync<DegradationEndpoints.UsageAnswer>("resilience/analytics/usage");

        _clickhouseLink.Fault = ProxyFault.Unreachable;
        var during = await AddNoteAsync("written while analytics is down");
        var (usageResponse, usageDuring) = await _notes.GetJsonAsync<DegradationEndpoints.UsageAnswer>("resilience/analytics/usage");
        var (_, notes) = await _notes.GetJsonAsync<List<string>>("resilience/notes");
        var (_, notices) = await _notes.GetJsonAsync<List<DegradationNotice>>("resilience/notices");

        Assert.Empty(before.Notices);
        Assert.Equal((true, 1L), (usageBefore.Available, usageBefore.Events));
        Assert.Equal(DegradableFeatures.Analytics, Assert.Single(during.Notices).Feature);
        Assert.Equal((false, (long?)null), (usageDuring.Available, usageDuring.Events));
        Assert.Equal(DegradableFeatures.Analytics, usageResponse.Headers.GetValues(DegradationEndpoints.NoticeHeader).Single());
        Assert.Equal(["written while all is well", "written while analytics is down"], notes);
        var notice = Assert.Single(notices);
        Assert.Equal(("clickhouse", _clock.GetUtcNow()), (notice.Dependency, notice.Since));
        Assert.Contains("temporarily unavailable", notice.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Analytics_ComesBackAndTheNoticeClears_OnlyAfterTheRecheckFindsClickHouseHealthy()
    {
        await AddNoteAsync("before");
        _clickhouseLink.Fault = ProxyFault.Unreachable;
        await AddNoteAsync("during");

        _clickhouseLink.Fault = ProxyFault.None;
        var (_, beforeRecheck) = await _notes.GetJsonAsync<DegradationEndpoints.UsageAnswer>("resilience/analytics/usage");
        _clock.Advance(TimeSpan.FromSeconds(11));
        var (response, afterRecheck) = await _notes.GetJsonAsync<DegradationEndpoints.UsageAnswer>("resilience/analytics/usage");
        var after = await AddNoteAsync("after");
        var (_, usage) = await _notes.GetJsonAsync<DegradationEndpoints.UsageAnswer>("resilience/analytics/usage");

        Assert.False(beforeRecheck.Available);
        Assert.Equal((true, 1L), (afterRecheck.Available, afterRecheck.Events));
        Assert.Empty(afterRecheck.Notices);
        Assert.False(response.Headers.Contains(DegradationEndpoints.NoticeHeader));
        Assert.Empty(after.Notices);
        Assert.Equal(2L, usage.Events);
    }

    private async Task<DegradationEndpoints.NoteCreated> AddNoteAsync(string text)
    {
        using var response = await _notes.Client.PostAsJsonAsync("resilience/notes", new DegradationEndpoints.NoteRequest(text), Cancel);
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        return await response.ReadJsonAsync<DegradationEndpoints.NoteCreated>();
    }
}
