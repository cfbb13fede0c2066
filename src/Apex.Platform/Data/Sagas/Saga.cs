namespace Apex.Platform.Data.Sagas;

/// <summary>
/// One step of a saga: an action and the compensation that undoes it. Both read and write the
/// saga's <see cref="SagaData"/>, which is persisted after every step, so a compensation can run
/// in another process than the action (it finds there the ids the action recorded).
/// </summary>
public sealed record SagaStep(string Name, Func<SagaData, CancellationToken, Task> Execute, Func<SagaData, CancellationToken, Task> Compensate);

/// <summary>A named, ordered list of steps. The name is stored with each run, so recovery finds the definition again.</summary>
public sealed record SagaDefinition(string Name, IReadOnlyList<SagaStep> Steps);

/// <summary>The saga's working data: string values by name, persisted as JSON with the run.</summary>
public sealed class SagaData(Dictionary<string, string> values)
{
    public IReadOnlyDictionary<string, string> Values => values;

    public string this[string key]
    {
        get => values.TryGetValue(key, out var value) ? value : throw new KeyNotFoundException($"The saga has no value '{key}'.");
        set => values[key] = value;
    }

    internal Dictionary<string, string> Snapshot() => new(values);
}

public enum SagaStatus
{
    Running,
    Completed,
    Compensating,
    Compensated,

    /// <summary>A compensation itself failed: the run needs a person; the error says which step.</summary>
    Stuck,
}

/// <summary>A saga run as stored: status, how many steps completed, the data, and the error that stopped it, if any.</summary>
public sealed record SagaRun(Guid Id, string Saga, SagaStatus Status, int CompletedSteps, IReadOnlyDictionary<string, string> Data, string? Error);

/// <summary>A saga that failed and was compensated; the message names the failed step and why.</summary>
public sealed class SagaFailedException(string message, SagaRun run, Exception inner) : Exception(message, inner)
{
    public SagaRun Run { get; } = run;
}
