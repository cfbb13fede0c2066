using System.ComponentModel.DataAnnotations;
using Apex.Platform.Agents.Queue;
using Microsoft.Extensions.Options;

namespace Apex.Platform.Agents.Resources;

public sealed class WorkerScalingOptions
{
    public const string SectionName = "Platform:Agents:Workers";

    [Range(1, 256, ErrorMessage = "Platform:Agents:Workers:Min must be between 1 and 256.")]
    public int Min { get; set; } = 1;

    [Range(1, 256, ErrorMessage = "Platform:Agents:Workers:Max must be between 1 and 256.")]
    public int Max { get; set; } = 8;

    /// <summary>Waiting items one worker is expected to keep up with.</summary>
    [Range(1, 100_000, ErrorMessage = "Platform:Agents:Workers:ItemsPerWorker must be at least 1.")]
    public int ItemsPerWorker { get; set; } = 10;
}

public sealed record ScalingDecision(string Queue, int Waiting, int Workers, string Reason);

/// <summary>
/// Sizes the worker pool of an agent queue from its length, within bounds: one worker per
/// ItemsPerWorker waiting items, never fewer than Min nor more than Max, and drains with that many.
/// </summary>
public sealed class AgentWorkerScaler(AgentWorkQueue queue, AgentQueueWorkers workers, IOptions<WorkerScalingOptions> options)
{
    public static ScalingDecision Decide(string queueName, int waiting, WorkerScalingOptions bounds)
    {
        var wanted = (int)Math.Ceiling(waiting / (double)bounds.ItemsPerWorker);
        var workers = Math.Clamp(wanted, bounds.Min, Math.Max(bounds.Min, bounds.Max));
        var reason = wanted > bounds.Max ? $"capped at the maximum of {bounds.Max}"
            : wanted < bounds.Min ? $"kept at the minimum of {bounds.Min}"
            : $"{waiting} waiting at {bounds.ItemsPerWorker} per worker";
        return new ScalingDecision(queueName, waiting, workers, reason);
    }

    public async Task<(ScalingDecision Decision, int Done)> DrainAsync(string queueName, QueuedWorkHandler handler, CancellationToken cancellationToken)
    {
        var decision = Decide(queueName, (await queue.StatsAsync(queueName, cancellationToken)).Queued, options.Value);
        var done = await workers.DrainAsync(queueName, decision.Workers, handler, cancellationToken);
        return (decision, done.Count);
    }
}
