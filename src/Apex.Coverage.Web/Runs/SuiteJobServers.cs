using Apex.Coverage.Web.Suites;
using Hangfire;
using Hangfire.Common;

namespace Apex.Coverage.Web.Runs;

/// <summary>
/// One Hangfire job server per suite queue, each with one worker, and one for the schedules'
/// "default" queue: a suite's runs go one at a time and in order on a node, and a backlog (or a
/// long run) of one suite never takes the worker another suite or a schedule needs. The servers
/// are made when the host starts, from the configured suites, with the container's job activator
/// and filters (so jobs are activated through DI and Hangfire's filters apply).
/// </summary>
internal sealed class SuiteJobServers(
    SuiteCatalog suites,
    JobStorage storage,
    IJobFilterProvider filters,
    JobActivator activator) : IHostedService, IDisposable
{
    public const string ScheduleQueue = "default";

    public const int ScheduleWorkers = 2;

    private readonly List<BackgroundJobServer> _servers = [];
    private volatile bool _disposed;

    public Task StartAsync(CancellationToken cancellationToken)
    {
        var queues = suites.Names.Select(SuiteQueue.NameOf).Distinct(StringComparer.Ordinal).Select(q => (Queue: q, Workers: 1))
            .Append((Queue: ScheduleQueue, Workers: ScheduleWorkers));
        foreach (var (queue, workers) in queues)
        {
            var options = new BackgroundJobServerOptions
            {
                ServerName = $"apex-runner:{Environment.MachineName}:{Environment.ProcessId}:{queue}",
                Queues = [queue],
                WorkerCount = workers,
                Activator = activator,
                FilterProvider = filters,
            };
            _servers.Add(new BackgroundJobServer(options, storage, []));
        }

        return Task.CompletedTask;
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        // A host torn down by its disposal (a test host disposed while starting, say) may dispose the
        // servers before it stops them; then there is nothing left to stop.
        if (_disposed) return;
        _servers.ForEach(s => s.SendStop());
        try
        {
            await Task.WhenAll(_servers.Select(s => s.WaitForShutdownAsync(cancellationToken)));
        }
        catch (ObjectDisposedException) when (_disposed)
        {
        }
    }

    public void Dispose()
    {
        _disposed = true;
        _servers.ForEach(s => s.Dispose());
    }
}
