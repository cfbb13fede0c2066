using System.Globalization;
using System.Text;

namespace Apex.Coverage.Web.Runs;

/// <summary>
/// Where a run's time went, from the request to the end state: the executor marks each phase
/// (claimed, session started, discovered, tests started, run returned, recorded, end written) and
/// the recorder the first and the last result. Logged once per run as milliseconds since the
/// request, so a run slower than `dotnet test` shows which part is slower (ADR 0231).
/// </summary>
public sealed class RunTimeline(TimeProvider time, DateTimeOffset requestedAt)
{
    private readonly long _origin = time.GetTimestamp() - ElapsedTicks(time, requestedAt);
    private readonly List<(string Phase, long At)> _marks = [];
    private long _firstResult;
    private long _lastResult;

    public void Mark(string phase)
    {
        var now = time.GetTimestamp();
        lock (_marks) _marks.Add((phase, now));
    }

    /// <summary>Called for every batch of results the test host reports; cheap (no lock, no allocation).</summary>
    public void Result()
    {
        var now = time.GetTimestamp();
        Interlocked.CompareExchange(ref _firstResult, now, 0);
        Volatile.Write(ref _lastResult, now);
    }

    /// <summary>"claimed 120, session 900, ..., first result 2300, last result 14000, ..." in ms since the request.</summary>
    public override string ToString()
    {
        List<(string Phase, long At)> marks;
        lock (_marks) marks = [.. _marks];
        if (Volatile.Read(ref _firstResult) is var first and not 0) marks.Add(("first result", first));
        if (Volatile.Read(ref _lastResult) is var last and not 0) marks.Add(("last result", last));
        var text = new StringBuilder();
        foreach (var (phase, at) in marks.OrderBy(m => m.At))
        {
            if (text.Length > 0) text.Append(", ");
            text.Append(phase).Append(' ').Append(Milliseconds(at).ToString("0", CultureInfo.InvariantCulture));
        }

        return text.ToString();
    }

    private double Milliseconds(long at) => time.GetElapsedTime(_origin, at).TotalMilliseconds;

    // The request was stored before this process saw the run; its age becomes the timeline's start.
    private static long ElapsedTicks(TimeProvider time, DateTimeOffset requestedAt)
    {
        var age = time.GetUtcNow() - requestedAt;
        return age <= TimeSpan.Zero ? 0 : (long)(age.TotalSeconds * time.TimestampFrequency);
    }
}
