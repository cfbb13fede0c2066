namespace Apex.Platform.Caching.Expiration;

/// <summary>
/// How long an entry lives: an absolute lifetime from the moment it is loaded, a sliding window
/// renewed by each read, or both (sliding, but never beyond the absolute lifetime).
/// </summary>
public sealed record ExpirationPolicy(TimeSpan? Absolute, TimeSpan? Sliding)
{
    public static ExpirationPolicy AbsoluteAfter(TimeSpan lifetime) => new(lifetime, null);

    public static ExpirationPolicy SlidingFor(TimeSpan window, TimeSpan? cap = null) => new(cap, window);

    public void Validate()
    {
        if (Absolute is null && Sliding is null) throw new ArgumentException("An expiration policy needs an absolute lifetime, a sliding window or both.");
        if (Absolute <= TimeSpan.Zero || Sliding <= TimeSpan.Zero) throw new ArgumentException("Lifetimes must be positive.");
    }

    /// <summary>The expiry of an entry loaded at <paramref name="loadedAt"/> and last read at <paramref name="now"/>.</summary>
    public DateTimeOffset ExpiryAt(DateTimeOffset loadedAt, DateTimeOffset now)
    {
        var cap = Absolute is { } a ? loadedAt + a : DateTimeOffset.MaxValue;
        return Sliding is { } s && now + s < cap ? now + s : cap;
    }
}
