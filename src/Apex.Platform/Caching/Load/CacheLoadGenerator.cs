using System.Diagnostics;
using StackExchange.Redis;

namespace Apex.Platform.Caching.Load;

/// <summary>
/// A bounded load against the cache: at most <see cref="LoadProfile.Operations"/> operations and
/// at most <see cref="LoadProfile.MaxDuration"/> of platform time, sent in pipelined batches with
/// never more than <see cref="LoadProfile.MaxInFlight"/> awaiting a reply (the bounded queue).
/// Errors are counted, not thrown, so a run always ends with its figures.
/// </summary>
public sealed class CacheLoadGenerator(IConnectionMultiplexer redis, RedisKeys keys, TimeProvider time)
{
    public async Task<LoadReport> RunAsync(LoadProfile profile, CancellationToken cancellationToken = default)
    {
        profile.Validate();
        using var capacity = new SemaphoreSlim(profile.MaxInFlight, profile.MaxInFlight);
        var run = new LoadRun();
        var started = time.GetTimestamp();
        var stoppedBy = LoadBound.Count;
        var pending = new List<Task>();
        while (run.Issued < profile.Operations)
        {
            if (time.GetElapsedTime(started) >= profile.MaxDuration) { stoppedBy = LoadBound.Time; break; }
            var size = Math.Min(profile.BatchSize, profile.Operations - run.Issued);
            for (var i = 0; i < size; i++) await capacity.WaitAsync(cancellationToken);
            pending.Add(SendBatchAsync(profile, run, size, capacity));
            pending.RemoveAll(t => t.IsCompleted);
        }

        await Task.WhenAll(pending);
        return run.Report(time.GetElapsedTime(started), stoppedBy);
    }

    private async Task SendBatchAsync(LoadProfile profile, LoadRun run, int size, SemaphoreSlim capacity)
    {
        var batch = redis.GetDatabase().CreateBatch();
        var operations = new List<Task>(size);
        for (var i = 0; i < size; i++)
        {
            var n = run.NextOperation();
            var key = keys.Key($"{profile.KeyPrefix}{n % profile.KeySpace}");
            operations.Add(n % 100 < profile.ReadPercent ? batch.StringGetAsync(key) : batch.StringSetAsync(key, n));
        }

        var sent = Stopwatch.GetTimestamp();
        batch.Execute();
        foreach (var operation in operations)
        {
            try
            {
                await operation;
                run.Completed(Stopwatch.GetElapsedTime(sent));
            }
            catch (RedisException)
            {
                run.Failed();
            }
            finally
            {
                capacity.Release();
            }
        }
    }

    private sealed class LoadRun
    {
        private readonly Lock _gate = new();
        private readonly List<double> _latencies = [];
        private long _issued;
        private long _inFlight;
        private long _maxInFlight;
        private long _errors;

        public int Issued => (int)Interlocked.Read(ref _issued);

        public long NextOperation()
        {
            var inFlight = Interlocked.Increment(ref _inFlight);
            long max;
            while (inFlight > (max = Interlocked.Read(ref _maxInFlight)) && Interlocked.CompareExchange(ref _maxInFlight, inFlight, max) != max)
            {
            }

            return Interlocked.Increment(ref _issued) - 1;
        }

        public void Completed(TimeSpan latency)
        {
            Interlocked.Decrement(ref _inFlight);
            lock (_gate) _latencies.Add(latency.TotalMilliseconds);
        }

        public void Failed()
        {
            Interlocked.Decrement(ref _inFlight);
            Interlocked.Increment(ref _errors);
        }

        public LoadReport Report(TimeSpan elapsed, LoadBound stoppedBy)
        {
            lock (_gate)
            {
                _latencies.Sort();
                double At(double q) => _latencies.Count == 0 ? 0 : _latencies[(int)Math.Clamp(Math.Ceiling(q * _latencies.Count) - 1, 0, _latencies.Count - 1)];
                var seconds = Math.Max(elapsed.TotalSeconds, 1e-9);
                return new LoadReport(_latencies.Count, (int)_errors, (int)Interlocked.Read(ref _maxInFlight), At(0.5), At(0.99), _latencies.Count / seconds, elapsed, stoppedBy);
            }
        }
    }
}

public sealed record LoadProfile(int Operations, TimeSpan MaxDuration, int MaxInFlight = 256, int BatchSize = 32, int ReadPercent = 80,
    int KeySpace = 1000, string KeyPrefix = "load:")
{
    public void Validate()
    {
        if (Operations <= 0 || MaxInFlight <= 0 || BatchSize <= 0 || KeySpace <= 0) throw new ArgumentException("Operations, MaxInFlight, BatchSize and KeySpace must be positive.");
        if (BatchSize > MaxInFlight) throw new ArgumentException("A batch larger than MaxInFlight could never be sent.");
        if (ReadPercent is < 0 or > 100) throw new ArgumentException("ReadPercent must be between 0 and 100.");
    }
}

public enum LoadBound
{
    Count,
    Time,
}

/// <summary>What a load run measured: latencies in milliseconds from sending a batch to each reply.</summary>
public sealed record LoadReport(int Completed, int Errors, int MaxInFlight, double P50Milliseconds, double P99Milliseconds, double OperationsPerSecond,
    TimeSpan Elapsed, LoadBound StoppedBy);
