namespace Apex.Platform.Resilience.Deadlines;

/// <summary>
/// The timeout coordinator's unit: the instant by which a request must be answered, on the
/// platform's clock. It arrives as the remaining budget in milliseconds (a header, because clocks
/// of two machines never agree on instants but do agree on durations) and leaves the same way.
/// </summary>
public sealed class RequestDeadline(DateTimeOffset at, TimeProvider time)
{
    public const string Header = "X-Apex-Deadline-Ms";

    public DateTimeOffset At { get; } = at;

    public TimeSpan Remaining
    {
        get
        {
            var left = At - time.GetUtcNow();
            return left > TimeSpan.Zero ? left : TimeSpan.Zero;
        }
    }

    /// <summary>The request's deadline: from the caller's header, else the hop's default budget.</summary>
    public static RequestDeadline For(HttpRequest request, TimeSpan defaultBudget, TimeProvider time)
    {
        var budget = long.TryParse(request.Headers[Header], out var ms) && ms >= 0 ? TimeSpan.FromMilliseconds(ms) : defaultBudget;
        return new RequestDeadline(time.GetUtcNow() + budget, time);
    }

    /// <summary>A token cancelled when the deadline passes, on the platform's clock.</summary>
    public CancellationTokenSource CancelAtDeadline(CancellationToken aborted)
    {
        var linked = CancellationTokenSource.CreateLinkedTokenSource(aborted);
        var timer = time.CreateTimer(static state => ((CancellationTokenSource)state!).Cancel(), linked, Remaining, Timeout.InfiniteTimeSpan);
        linked.Token.Register(static state => ((ITimer)state!).Dispose(), timer);
        return linked;
    }
}
