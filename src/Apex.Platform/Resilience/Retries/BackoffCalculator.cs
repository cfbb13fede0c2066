using Microsoft.Extensions.Options;

namespace Apex.Platform.Resilience.Retries;

/// <summary>
/// Exponential backoff with "equal jitter": retry n (from 0) waits a random time between half of
/// base×2ⁿ and base×2ⁿ, capped at the maximum. The lower half keeps backoff exponential; the random
/// half keeps many clients that failed together from retrying together. Bounds are exact, so the
/// schedule can be verified, unlike Polly's decorrelated jitter whose spread is only statistical.
/// </summary>
public sealed class BackoffCalculator(IOptions<RetryOptions> options, Random random)
{
    public TimeSpan Delay(int retry)
    {
        var ceiling = Ceiling(options.Value, retry);
        return ceiling / 2 + ceiling / 2 * random.NextDouble();
    }

    public static TimeSpan Ceiling(RetryOptions options, int retry)
    {
        var exponential = options.BaseDelay.TotalMilliseconds * Math.Pow(2, Math.Min(retry, 30));
        return TimeSpan.FromMilliseconds(Math.Min(exponential, options.MaxDelay.TotalMilliseconds));
    }
}
