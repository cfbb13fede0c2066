using System.Collections.Concurrent;
using Polly.CircuitBreaker;

namespace Apex.Platform.Resilience.Circuits;

/// <summary>
/// The circuit manager of one process: every breaker reports its transitions here (from Polly's
/// OnOpened/OnHalfOpened/OnClosed), so an operator — and the cascade question "which breaker
/// opened, and which did not" — has one place to look.
/// </summary>
public sealed class CircuitRegistry(TimeProvider time)
{
    private readonly ConcurrentDictionary<string, CircuitBreakerStateProvider> _circuits = new(StringComparer.Ordinal);
    private readonly ConcurrentQueue<CircuitTransition> _history = new();
    private long _sequence;

    /// <summary>Registers a breaker and returns the state provider to give to its strategy options.</summary>
    public CircuitBreakerStateProvider Register(string circuit) => _circuits.GetOrAdd(circuit, _ => new CircuitBreakerStateProvider());

    public void Record(string circuit, CircuitState state) =>
        _history.Enqueue(new CircuitTransition(circuit, Name(state), Interlocked.Increment(ref _sequence), time.GetUtcNow()));

    public string StateOf(string circuit) => _circuits.TryGetValue(circuit, out var provider) ? Name(provider.CircuitState) : "unknown";

    public IReadOnlyList<CircuitView> Circuits() => [.. _circuits.Select(c => new CircuitView(c.Key, Name(c.Value.CircuitState))).OrderBy(c => c.Name)];

    public IReadOnlyList<CircuitTransition> History() => [.. _history];

    public static string Name(CircuitState state) => state switch
    {
        CircuitState.Closed => "closed",
        CircuitState.Open => "open",
        CircuitState.HalfOpen => "half-open",
        _ => "isolated",
    };
}

public sealed record CircuitView(string Name, string State);

public sealed record CircuitTransition(string Circuit, string State, long Sequence, DateTimeOffset At);
