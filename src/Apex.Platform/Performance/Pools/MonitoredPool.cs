namespace Apex.Platform.Performance.Pools;

/// <summary>
/// A pool of slots (workers, connections) whose size can be changed while it runs, and which
/// records what sizing needs to know: slots in use and the peak, how many requests had to wait,
/// and how many starved (gave up waiting). Each lease feeds the <see cref="WorkloadMeter"/>.
/// </summary>
public sealed class MonitoredPool(int size, TimeSpan acquireTimeout, WorkloadMeter meter, TimeProvider time)
{
    private readonly Lock _gate = new();
    private readonly LinkedList<TaskCompletionSource> _waiting = new();
    private int _inUse;
    private int _peak;
    private int _waits;
    private int _starved;

    public int Size { get; private set; } = size > 0 ? size : throw new ArgumentOutOfRangeException(nameof(size));

    public WorkloadMeter Meter => meter;

    public PoolStats Stats
    {
        get { lock (_gate) return new PoolStats(Size, _inUse, _peak, _waits, _starved); }
    }

    /// <summary>Takes a slot, waiting up to the acquire timeout; a timeout counts as starvation.</summary>
    public async Task<IAsyncDisposable> AcquireAsync(CancellationToken cancellationToken)
    {
        meter.OnArrival();
        TaskCompletionSource? ticket = null;
        lock (_gate)
        {
            if (_inUse < Size) Take();
            else
            {
                _waits++;
                ticket = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                _waiting.AddLast(ticket);
            }
        }

        if (ticket is not null) await WaitForSlotAsync(ticket, cancellationToken);
        return new Lease(this, time.GetTimestamp());
    }

    /// <summary>Changes the size; waiting requests get the new slots at once, surplus slots retire as they are released.</summary>
    public void Resize(int newSize)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(newSize, 1);
        lock (_gate)
        {
            Size = newSize;
            _peak = _inUse;
            _waits = 0;
            _starved = 0;
            WakeWaiters();
        }
    }

    private async Task WaitForSlotAsync(TaskCompletionSource ticket, CancellationToken cancellationToken)
    {
        try
        {
            await ticket.Task.WaitAsync(acquireTimeout, time, cancellationToken);
        }
        catch (Exception e) when (e is TimeoutException or OperationCanceledException)
        {
            lock (_gate)
            {
                // Granted in the same instant it timed out: keep the slot rather than leak it.
                if (ticket.Task.IsCompletedSuccessfully) return;
                _waiting.Remove(ticket);
                if (e is TimeoutException) _starved++;
            }

            if (e is TimeoutException) throw new PoolStarvedException(Size, acquireTimeout);
            throw;
        }
    }

    private void Release(long acquiredAt)
    {
        meter.OnServed(time.GetElapsedTime(acquiredAt));
        lock (_gate)
        {
            _inUse--;
            WakeWaiters();
        }
    }

    private void WakeWaiters()
    {
        while (_inUse < Size && _waiting.First is { } next)
        {
            _waiting.RemoveFirst();
            Take();
            next.Value.SetResult();
        }
    }

    private void Take()
    {
        _inUse++;
        _peak = Math.Max(_peak, _inUse);
    }

    private sealed class Lease(MonitoredPool pool, long acquiredAt) : IAsyncDisposable
    {
        private int _released;

        public ValueTask DisposeAsync()
        {
            if (Interlocked.Exchange(ref _released, 1) == 0) pool.Release(acquiredAt);
            return ValueTask.CompletedTask;
        }
    }
}

/// <summary>A snapshot: size, in use now, the peak since the last resize, requests that waited, requests that starved.</summary>
public sealed record PoolStats(int Size, int InUse, int PeakInUse, int Waits, int Starved)
{
    /// <summary>Slots never used at the peak: capacity paid for and idle.</summary>
    public int IdleSurplus => Math.Max(0, Size - PeakInUse);

    public PoolVerdict Judge(int maxIdleSurplus) =>
        Starved > 0 ? PoolVerdict.Starved : IdleSurplus > maxIdleSurplus ? PoolVerdict.Oversized : PoolVerdict.Fit;
}

public enum PoolVerdict { Fit, Starved, Oversized }

public sealed class PoolStarvedException(int size, TimeSpan waited)
    : Exception($"No slot of the pool of {size} became free within {waited.TotalMilliseconds:0} ms.");
