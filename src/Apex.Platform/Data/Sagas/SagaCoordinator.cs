namespace Apex.Platform.Data.Sagas;

/// <summary>
/// Runs sagas across stores that share no transaction (PostgreSQL, Redis, ClickHouse): steps in
/// order, the run persisted after each; when a step fails, the completed steps are compensated
/// newest first. A run whose process dies keeps its state and its lease runs out; the next
/// coordinator's <see cref="RecoverAsync"/> compensates it (ADR 0112).
/// </summary>
public sealed class SagaCoordinator(SagaStore store, IEnumerable<SagaDefinition> definitions, TimeProvider time, TimeSpan lease)
{
    private readonly Dictionary<string, SagaDefinition> _definitions = definitions.ToDictionary(d => d.Name);

    /// <summary>Raised after each step completes and is persisted (for progress reporting).</summary>
    public event Action<SagaRun>? StepCompleted;

    public async Task<SagaRun> RunAsync(string saga, Guid id, IReadOnlyDictionary<string, string> input, CancellationToken ct)
    {
        var definition = Definition(saga);
        var data = new SagaData(new Dictionary<string, string>(input));
        var run = new SagaRun(id, saga, SagaStatus.Running, 0, data.Snapshot(), null);
        await SaveAsync(run, ct);
        foreach (var step in definition.Steps)
        {
            try
            {
                await step.Execute(data, ct);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                // Cancellation means this process is going away: the lease and RecoverAsync take over.
                var failed = run with { Status = SagaStatus.Compensating, Data = data.Snapshot(), Error = $"Step '{step.Name}' failed: {e.Message}" };
                await SaveAsync(failed, CancellationToken.None);
                var ended = await CompensateAsync(definition, failed, data, CancellationToken.None);
                throw new SagaFailedException($"Saga {saga} {id}: {failed.Error}. {Describe(ended)}", ended, e);
            }

            run = run with { CompletedSteps = run.CompletedSteps + 1, Data = data.Snapshot() };
            await SaveAsync(run, ct);
            StepCompleted?.Invoke(run);
        }

        run = run with { Status = SagaStatus.Completed };
        await SaveAsync(run, ct);
        return run;
    }

    /// <summary>Compensates every run abandoned by a dead process (lease expired); returns them as they ended.</summary>
    public async Task<IReadOnlyList<SagaRun>> RecoverAsync(CancellationToken ct)
    {
        var now = time.GetUtcNow();
        var recovered = new List<SagaRun>();
        foreach (var run in await store.ClaimAbandonedAsync(now, now + lease, ct))
        {
            var abandoned = run with { Status = SagaStatus.Compensating, Error = run.Error ?? $"Abandoned after {run.CompletedSteps} steps: its process stopped." };
            await SaveAsync(abandoned, ct);
            recovered.Add(await CompensateAsync(Definition(run.Saga), abandoned, new SagaData(new Dictionary<string, string>(run.Data)), ct));
        }

        return recovered;
    }

    private async Task<SagaRun> CompensateAsync(SagaDefinition definition, SagaRun run, SagaData data, CancellationToken ct)
    {
        for (var i = run.CompletedSteps - 1; i >= 0; i--)
        {
            var step = definition.Steps[i];
            try
            {
                await step.Compensate(data, ct);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                run = run with { Status = SagaStatus.Stuck, Data = data.Snapshot(), Error = $"{run.Error} Compensating '{step.Name}' failed too: {e.Message}" };
                await SaveAsync(run, ct);
                return run;
            }

            run = run with { CompletedSteps = i, Data = data.Snapshot() };
            await SaveAsync(run, ct);
        }

        run = run with { Status = SagaStatus.Compensated };
        await SaveAsync(run, ct);
        return run;
    }

    private SagaDefinition Definition(string saga) =>
        _definitions.TryGetValue(saga, out var definition) ? definition : throw new InvalidOperationException($"No saga named '{saga}' is registered.");

    private Task SaveAsync(SagaRun run, CancellationToken ct)
    {
        var now = time.GetUtcNow();
        return store.SaveAsync(run, now, now + lease, ct);
    }

    private static string Describe(SagaRun run) => run.Status == SagaStatus.Compensated
        ? "Every completed step was compensated."
        : $"Compensation stopped: {run.Error}";
}
