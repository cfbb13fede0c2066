namespace Apex.Coverage.Web.Mutation;

/// <summary>
/// Takes queued mutation runs one at a time (Stryker is CPU-heavy: one run per node, so one per
/// suite), woken by a request or every few seconds for runs queued by another node or the schedule.
/// At start it ends failed the running runs of this node, of no node and of dead nodes (ADR 0285): nothing of them was stored.
/// A cancel asked on another node for the run executing here arrives through the run relay (ADR 0280).
/// </summary>
public sealed class MutationWorker(
    MutationStore store, MutationService service, MutationExecution execution, Runs.RunRelay relay, ILogger<MutationWorker> logger)
    : BackgroundService
{
    private static readonly TimeSpan Poll = TimeSpan.FromSeconds(5);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var relayed = relay.OnCancel(MutationService.RelayCancelKind, id => service.StopHere(id));
        await store.EndInterruptedAsync(stoppingToken);
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                if (await store.NextAsync(stoppingToken) is { } run)
                {
                    await execution.RunAsync(run, stoppingToken);
                    continue;
                }

                await service.WaitForWorkAsync(Poll, stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception error)
            {
                logger.LogError(error, "The mutation worker could not take the next run");
                await Task.Delay(Poll, stoppingToken);
            }
        }
    }
}
