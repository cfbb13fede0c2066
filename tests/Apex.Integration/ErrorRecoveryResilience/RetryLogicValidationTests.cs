using System.Net;
using System.Net.Http.Json;
using Apex.Integration.ErrorRecoveryResilience.Support;
using Apex.Integration.Fakes;
using Apex.Integration.Infrastructure;
using Apex.Platform.Resilience.Retries;
using Microsoft.Extensions.DependencyInjection;
using static Apex.Integration.ErrorRecoveryResilience.Support.ResilienceApi;

namespace Apex.Integration.ErrorRecoveryResilience;

/// <summary>
/// Plan item 87: the transfers service writes to the ledger service (both real platform processes,
/// the ledger in PostgreSQL) through a proxy that can drop requests or lose answers. Retries back
/// off exponentially with jitter, each delay checked on the fake clock that alone lets the next
/// attempt happen; permanent refusals are not retried; an idempotency key makes a write whose
/// answer was lost land once however often it is retried.
/// </summary>
[PlanItem(87)]
[BusinessValue("All tiers", "Transient failures heal without users noticing or double charges",
    "Resilience worth $6K MRR transient failure handling", "Correct retries keep money movements exactly-once under network faults")]
public sealed class RetryLogicValidationTests(PostgresServer postgres, RedisServer redis) : IAsyncLifetime
{
    private static readonly RetryOptions Schedule = new() { BaseDelay = TimeSpan.FromSeconds(1), MaxDelay = TimeSpan.FromSeconds(30) };
    private readonly ObservedClock _clock = new();
    private PlatformInstance _ledger = null!;
    private LossyProxy _proxy = null!;
    private PlatformInstance _transfers = null!;

    private RetryJournal Journal => _transfers.Services.GetRequiredService<RetryJournal>();

    public async ValueTask InitializeAsync()
    {
        var database = await postgres.CreateDatabaseAsync(nameof(RetryLogicValidationTests));
        var prefix = RedisServer.NewKeyPrefix("item87");
        _ledger = await StartServiceAsync(database, redis.ConnectionString, prefix, "ledger", _clock, new Dictionary<string, string?>());
        _proxy = await LossyProxy.StartNewAsync(_ledger.BaseAddress);
        _transfers = await StartServiceAsync(database, redis.ConnectionString, prefix, "transfers", _clock, new Dictionary<string, string?>
        {
            ["Platform:Resilience:Retry:Ledger"] = _proxy.BaseAddress.ToString(),
            ["Platform:Resilience:Retry:MaxRetryAttempts"] = "4",
            ["Platform:Resilience:Retry:BaseDelay"] = "00:00:01",
        });
    }

    public async ValueTask DisposeAsync()
    {
        await _transfers.DisposeAsync();
        await _proxy.DisposeAsync();
        await _ledger.DisposeAsync();
    }

    [Fact]
    public async Task Transfer_BacksOffExponentiallyWithJitter_UntilTheLedgerIsReachableAgain()
    {
        _proxy.Fault = ProxyFault.Unreachable;
        var (key, transfer) = StartTransfer("acct-backoff", 1_500);

        var delays = new List<TimeSpan>();
        for (var retry = 0; retry < 3; retry++)
        {
            var delay = await NextRetryAsync(key, retry);
            Assert.InRange(delay, BackoffCalculator.Ceiling(Schedule, retry) / 2, BackoffCalculator.Ceiling(Schedule, retry));
            Assert.False(transfer.IsCompleted);
            if (retry == 2) _proxy.Fault = ProxyFault.None;
            _clock.Advance(delay);
            delays.Add(delay);
        }

        var result = await (await transfer).ReadJsonAsync<WriteResult>();
        Assert.Equal(("written", 4), (result.Status, result.Attempts));
        Assert.Contains(delays, d => d != BackoffCalculator.Ceiling(Schedule, delays.IndexOf(d)) / 2);
        Assert.All(Journal.Retries(key), r => Assert.Equal("HttpRequestException", r.Failure));
        Assert.Single(await EntriesAsync("acct-backoff"));
    }

    [Fact]
    public async Task Transfer_BooksOnce_WhenTheLedgerCommittedButItsAnswerWasLost()
    {
        _proxy.Fault = ProxyFault.LoseResponse;
        var (key, transfer) = StartTransfer("acct-lost", 2_500);

        var delay = await NextRetryAsync(key, 0);
        _proxy.Fault = ProxyFault.None;
        _clock.Advance(delay);
        var result = await (await transfer).ReadJsonAsync<WriteResult>();

        Assert.Equal(("replayed", 2), (result.Status, result.Attempts));
        Assert.Equal(2, _proxy.Forwarded);
        var entry = Assert.Single(await EntriesAsync("acct-lost"));
        Assert.Equal((key, 2_500L), (entry.IdempotencyKey, entry.AmountCents));
    }

    [Fact]
    public async Task Transfer_IsNotRetried_WhenTheLedgerRefusesItPermanently()
    {
        var (key, transfer) = StartTransfer("acct-refused", -5);

        var result = await (await transfer).ReadJsonAsync<WriteResult>();

        Assert.Equal(("rejected", 1, 422), (result.Status, result.Attempts, result.LedgerStatus));
        Assert.Empty(Journal.Retries(key));
        Assert.Equal(1, _proxy.Forwarded);
        Assert.Empty(await EntriesAsync("acct-refused"));
    }

    private (string Key, Task<HttpResponseMessage> Response) StartTransfer(string account, long cents)
    {
        var key = Guid.NewGuid().ToString("N");
        var request = new HttpRequestMessage(HttpMethod.Post, "resilience/transfers") { Content = JsonContent.Create(new LedgerEntryRequest(account, cents)) };
        request.Headers.Add(LedgerWriter.IdempotencyHeader, key);
        return (key, _transfers.Client.SendAsync(request, Cancel));
    }

    /// <summary>Waits until retry <paramref name="retry"/> is scheduled (the attempt before it failed) and returns its delay.</summary>
    private async Task<TimeSpan> NextRetryAsync(string key, int retry)
    {
        await Eventually.TrueAsync(() => Task.FromResult(Journal.Retries(key).Count > retry && _clock.TimersCreated > retry));
        return Journal.Retries(key)[retry].Delay;
    }

    private async Task<List<LedgerEntry>> EntriesAsync(string account) =>
        (await _ledger.GetJsonAsync<List<LedgerEntry>>($"resilience/ledger/accounts/{account}")).Body;
}
