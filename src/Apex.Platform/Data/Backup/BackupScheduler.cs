namespace Apex.Platform.Data.Backup;

/// <summary>
/// Takes a backup every interval of the platform clock and validates it at once; each outcome is
/// kept in <see cref="History"/>. A backup that fails or does not validate is recorded as failed
/// with the reason — never as a good backup.
/// </summary>
public sealed class BackupScheduler(DatabaseBackup backup, TimeProvider time) : IAsyncDisposable
{
    private readonly CancellationTokenSource _stop = new();
    private readonly List<ScheduledBackup> _history = [];
    private Task _loop = Task.CompletedTask;

    public IReadOnlyList<ScheduledBackup> History
    {
        get
        {
            lock (_history) return [.. _history];
        }
    }

    public void Start(TimeSpan interval)
    {
        var timer = new PeriodicTimer(interval, time);
        _loop = Task.Run(async () =>
        {
            using var owned = timer;
            while (await timer.WaitForNextTickAsync(_stop.Token).AsTask().ContinueWith(t => t.IsCompletedSuccessfully && t.Result, TaskScheduler.Default))
            {
                var outcome = await RunOnceAsync(_stop.Token);
                lock (_history) _history.Add(outcome);
            }
        });
    }

    private async Task<ScheduledBackup> RunOnceAsync(CancellationToken ct)
    {
        try
        {
            var manifest = await backup.BackupAsync(ct);
            var validation = await backup.ValidateAsync(backup.PathOf(manifest), ct);
            return new ScheduledBackup(time.GetUtcNow(), manifest, validation.Valid, string.Join("; ", validation.Problems));
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            return new ScheduledBackup(time.GetUtcNow(), null, false, e.Message);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        await _loop;
        _stop.Dispose();
    }
}

public sealed record ScheduledBackup(DateTimeOffset At, BackupManifest? Manifest, bool Good, string Problems);
