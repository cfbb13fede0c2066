namespace Apex.Platform.Agents.Queue;

/// <summary>What a worker does with one item; an exception puts the item back in the queue.</summary>
public delegate Task QueuedWorkHandler(QueuedWork work, CancellationToken cancellationToken);

/// <summary>
/// Several workers draining the queue concurrently, each on its own connection: the executor. It
/// runs until the queue is empty (or cancellation) and reports who did what, so a scheduler or a
/// test can see that no item ran twice.
/// </summary>
public sealed class AgentQueueWorkers(AgentWorkQueue queue, ILogger<AgentQueueWorkers> logger)
{
    public async Task<IReadOnlyList<(string Worker, QueuedWork Work)>> DrainAsync(
        string queueName, int workers, QueuedWorkHandler handler, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(workers, 1);
        var done = new System.Collections.Concurrent.ConcurrentQueue<(string, QueuedWork)>();
        await Task.WhenAll(Enumerable.Range(1, workers).Select(i => Task.Run(() => WorkAsync(queueName, $"{queueName}-worker-{i}", handler, done, cancellationToken), cancellationToken)));
        return [.. done];
    }

    private async Task WorkAsync(string queueName, string worker, QueuedWorkHandler handler, System.Collections.Concurrent.ConcurrentQueue<(string, QueuedWork)> done, CancellationToken cancellationToken)
    {
        while (await queue.ClaimAsync(queueName, worker, cancellationToken) is { } work)
        {
            try
            {
                await handler(work, cancellationToken);
                await queue.CompleteAsync(work.Id, cancellationToken);
                done.Enqueue((worker, work));
            }
            catch (Exception exception) when (exception is not OperationCanceledException)
            {
                logger.LogWarning(exception, "Queued agent work {Id} failed on {Worker}; it goes back to the queue", work.Id, worker);
                await queue.ReleaseAsync(work.Id, CancellationToken.None);
                throw;
            }
        }
    }
}
