using System.Threading.Channels;
using Microsoft.Extensions.Options;

namespace Apex.Coverage.Web.Plan;

/// <summary>
/// At start-up shows the last stored version and imports the plan file (both before the app
/// serves requests); then, when <see cref="PlanOptions.Watch"/> is on, imports the file again
/// once it has been quiet for the debounce period after a change.
/// </summary>
internal sealed partial class PlanFileWatcher(
    PlanImporter importer,
    IOptions<PlanOptions> options,
    IHostEnvironment environment,
    ILogger<PlanFileWatcher> logger) : IHostedService, IAsyncDisposable
{
    private readonly Channel<bool> _signals = Channel.CreateBounded<bool>(
        new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropWrite });
    private readonly CancellationTokenSource _stopping = new();
    private FileSystemWatcher? _watcher;
    private Task _loop = Task.CompletedTask;
    private int _stopped;

    public string PlanPath { get; } = System.IO.Path.GetFullPath(
        System.IO.Path.Combine(environment.ContentRootPath, options.Value.Path));

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        await importer.LoadLatestAsync(cancellationToken);
        if (options.Value.ImportOnStart)
        {
            await importer.ImportFileAsync(PlanPath, cancellationToken);
        }

        if (options.Value.Watch && Directory.Exists(System.IO.Path.GetDirectoryName(PlanPath)))
        {
            _watcher = CreateWatcher();
            _loop = WatchAsync(TimeSpan.FromMilliseconds(options.Value.DebounceMilliseconds), _stopping.Token);
        }
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        await StopWatchingAsync();
        await _loop.WaitAsync(cancellationToken);
    }

    public async ValueTask DisposeAsync()
    {
        await StopWatchingAsync();
        _stopping.Dispose();
    }

    // The host may dispose the service before it calls StopAsync (WebApplicationFactory does), so
    // stopping happens once, whichever comes first.
    private async Task StopWatchingAsync()
    {
        if (Interlocked.Exchange(ref _stopped, 1) == 0)
        {
            _watcher?.Dispose();
            await _stopping.CancelAsync();
        }
    }

    private FileSystemWatcher CreateWatcher()
    {
        var watcher = new FileSystemWatcher(System.IO.Path.GetDirectoryName(PlanPath)!, System.IO.Path.GetFileName(PlanPath))
        {
            NotifyFilter = NotifyFilters.LastWrite | NotifyFilters.FileName | NotifyFilters.Size | NotifyFilters.CreationTime,
        };
        watcher.Changed += (_, _) => _signals.Writer.TryWrite(true);
        watcher.Created += (_, _) => _signals.Writer.TryWrite(true);
        watcher.Deleted += (_, _) => _signals.Writer.TryWrite(true);
        // Editors often save by writing a temp file and renaming it over the plan.
        watcher.Renamed += (_, e) =>
        {
            if (string.Equals(e.FullPath, PlanPath, StringComparison.Ordinal))
            {
                _signals.Writer.TryWrite(true);
            }
        };
        watcher.EnableRaisingEvents = true;
        return watcher;
    }

    private async Task WatchAsync(TimeSpan debounce, CancellationToken stopping)
    {
        try
        {
            while (await _signals.Reader.WaitToReadAsync(stopping))
            {
                _signals.Reader.TryRead(out _);
                while (await SignalWithinAsync(debounce, stopping))
                {
                    _signals.Reader.TryRead(out _);
                }

                await ImportQuietlyAsync(stopping);
            }
        }
        catch (OperationCanceledException) when (stopping.IsCancellationRequested)
        {
            // The host is stopping.
        }
    }

    private async Task<bool> SignalWithinAsync(TimeSpan window, CancellationToken stopping)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(stopping);
        timeout.CancelAfter(window);
        try
        {
            return await _signals.Reader.WaitToReadAsync(timeout.Token);
        }
        catch (OperationCanceledException) when (!stopping.IsCancellationRequested)
        {
            return false;
        }
    }

    private async Task ImportQuietlyAsync(CancellationToken stopping)
    {
        try
        {
            await importer.ImportFileAsync(PlanPath, stopping);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // A failed import (the database busy, say) must not end the watch; the next change retries.
            LogImportFailed(ex, PlanPath);
        }
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "Importing the plan {Path} failed")]
    private partial void LogImportFailed(Exception exception, string path);
}
