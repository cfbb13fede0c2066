using System.Net;
using System.Net.Http.Json;

namespace Apex.Platform.Resilience.Retries;

/// <summary>
/// The retry manager for writes to the ledger service: one idempotency key per logical write, sent
/// unchanged with every attempt, so a retry after a lost answer cannot book the entry twice.
/// </summary>
public sealed class LedgerWriter(HttpClient http, RetryJournal journal)
{
    public const string IdempotencyHeader = "Idempotency-Key";
    public const string ReplayedHeader = "Idempotent-Replayed";

    public async Task<WriteResult> WriteAsync(string key, LedgerEntryRequest entry, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "resilience/ledger/entries") { Content = JsonContent.Create(entry) };
        request.Headers.Add(IdempotencyHeader, key);
        var attempts = () => journal.Retries(key).Count + 1;
        try
        {
            using var response = await http.SendAsync(request, cancellationToken);
            var status = response.StatusCode switch
            {
                HttpStatusCode.Created => "written",
                HttpStatusCode.OK when response.Headers.Contains(ReplayedHeader) => "replayed",
                _ when TransientFailure.Is(Polly.Outcome.FromResult(response)) => "unavailable",
                _ => "rejected",
            };
            journal.Finished(key, status);
            return new WriteResult(key, status, attempts(), (int)response.StatusCode);
        }
        catch (HttpRequestException)
        {
            journal.Finished(key, "unavailable");
            return new WriteResult(key, "unavailable", attempts(), null);
        }
    }
}

public sealed record LedgerEntryRequest(string Account, long AmountCents);

/// <summary>How a logical write ended: written, replayed (a retry of one that had landed), rejected (permanent) or unavailable.</summary>
public sealed record WriteResult(string Key, string Status, int Attempts, int? LedgerStatus);
