namespace Apex.Platform.Realtime.Hub;

/// <summary>
/// A token bucket on the platform clock: <paramref name="burst"/> frames at once, refilled at
/// <paramref name="perSecond"/>. Not thread-safe: one connection's frames are handled one at a time.
/// </summary>
public sealed class TokenBucket(double perSecond, int burst, TimeProvider time)
{
    private double _tokens = burst;
    private DateTimeOffset _refilledAt = time.GetUtcNow();

    /// <summary>Takes a token; when there is none, how long until there is.</summary>
    public bool TryTake(out TimeSpan retryAfter)
    {
        var now = time.GetUtcNow();
        _tokens = Math.Min(burst, _tokens + (now - _refilledAt).TotalSeconds * perSecond);
        _refilledAt = now;
        if (_tokens >= 1)
        {
            _tokens -= 1;
            retryAfter = TimeSpan.Zero;
            return true;
        }

        retryAfter = TimeSpan.FromSeconds((1 - _tokens) / perSecond);
        return false;
    }
}
