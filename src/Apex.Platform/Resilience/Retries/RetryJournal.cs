using System.Collections.Concurrent;

namespace Apex.Platform.Resilience.Retries;

/// <summary>
/// The validator's evidence: per idempotency key, every failed attempt with the delay scheduled
/// before the next one, and the final outcome. Kept per process, for the retries it made itself.
/// </summary>
public sealed class RetryJournal
{
    private readonly ConcurrentDictionary<string, ConcurrentQueue<RetryAttempt>> _attempts = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, string> _outcomes = new(StringComparer.Ordinal);

    public void Retrying(string key, int attempt, string failure, TimeSpan delay) =>
        _attempts.GetOrAdd(key, _ => new ConcurrentQueue<RetryAttempt>()).Enqueue(new RetryAttempt(attempt, failure, delay));

    public void Finished(string key, string outcome) => _outcomes[key] = outcome;

    public IReadOnlyList<RetryAttempt> Retries(string key) => _attempts.TryGetValue(key, out var queue) ? [.. queue] : [];

    public string? Outcome(string key) => _outcomes.GetValueOrDefault(key);
}

/// <summary>Attempt <paramref name="Attempt"/> (from 0) failed with <paramref name="Failure"/>; the next waits <paramref name="Delay"/>.</summary>
public sealed record RetryAttempt(int Attempt, string Failure, TimeSpan Delay);
