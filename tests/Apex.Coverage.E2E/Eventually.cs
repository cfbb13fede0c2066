namespace Apex.Coverage.E2E;

/// <summary>Waits for a condition that another thread makes true (a background recompute, a hosted service).</summary>
public static class Eventually
{
    public static async Task<T> ThatAsync<T>(Func<Task<T>> read, Func<T, bool> until, string what, int seconds = 60)
    {
        var deadline = DateTime.UtcNow.AddSeconds(seconds);
        while (true)
        {
            var value = await read();
            if (until(value))
            {
                return value;
            }

            Assert.True(DateTime.UtcNow < deadline, $"Gave up waiting for {what}; last seen: {value}");
            await Task.Delay(50, TestContext.Current.CancellationToken);
        }
    }
}
