using Apex.Coverage.Web.Runs;
using Hangfire.InMemory;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.Logging;
using HangfireLogLevel = Hangfire.Logging.LogLevel;

namespace Apex.Coverage.Tests.Runs;

public sealed class HangfireLogBridgeTests
{
    [Fact]
    public void GetLogger_ReturnsQuietLogger_WhenTheHostsLoggerFactoryIsDisposed()
    {
        var factory = LoggerFactory.Create(_ => { });
        var bridge = new HangfireLogBridge(factory);
        var before = bridge.GetLogger("before");
        factory.Dispose();

        var after = bridge.GetLogger("after");

        Assert.True(after.Log(HangfireLogLevel.Info, () => "written nowhere"));
        Assert.True(before.Log(HangfireLogLevel.Warn, () => "written nowhere either"));
    }

    [Fact]
    public async Task HangfireStorage_CanBeCreated_AfterADashboardHostIsDisposed()
    {
        // Hangfire keeps its log provider in a static: a disposed host must not poison the process.
        var host = new WebApplicationFactory<Program>();
        using (var client = host.CreateClient())
        {
            await client.GetAsync("/", TestContext.Current.CancellationToken);
        }

        await host.DisposeAsync();

        using var storage = new InMemoryStorage();
        Assert.NotNull(storage.GetMonitoringApi());
    }
}
