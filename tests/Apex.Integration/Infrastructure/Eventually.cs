using System.Diagnostics;

namespace Apex.Integration.Infrastructure;

/// <summary>
/// Waits for a condition that another party makes true asynchronously (a socket closed on the
/// server side, a pub/sub message delivered). Not a retry of the test: it polls one observation
/// until a deadline and fails with the deadline named.
/// </summary>
public static class Eventually
{
    public static async Task TrueAsync(Func<Task<bool>> condition, int seconds = 10)
    {
        var clock = Stopwatch.StartNew();
        while (!await condition())
        {
            if (clock.Elapsed > TimeSpan.FromSeconds(seconds)) Assert.Fail($"The condition did not hold within {seconds} s.");
            await Task.Delay(50, TestContext.Current.CancellationToken);
        }
    }
}
