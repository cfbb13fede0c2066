using System.Runtime.CompilerServices;

namespace Apex.Coverage.Tests.Fixtures;

/// <summary>
/// Every host a test starts (WebApplicationFactory reads environment variables) gets its database
/// in a temp folder unless the test configures one, so no test writes under src/. bUnit's waits
/// allow 30 s instead of 1 s: they return as soon as the assertion holds, and on a loaded 2-core
/// machine the renderer's dispatcher alone can take longer than a second to get a turn.
/// </summary>
internal static class TestDefaults
{
    [ModuleInitializer]
    internal static void WaitLongEnoughOnABusyMachine() => Bunit.BunitContext.DefaultWaitTimeout = TimeSpan.FromSeconds(30);

    [ModuleInitializer]
    internal static void PointDatabaseAtTempFolder()
    {
        if (Environment.GetEnvironmentVariable("Data__ConnectionString") is null)
        {
            var folder = Path.Combine(Path.GetTempPath(), $"apex-coverage-tests-{Environment.ProcessId}");
            Environment.SetEnvironmentVariable("Data__ConnectionString", $"Data Source={Path.Combine(folder, "coverage.db")}");
        }
    }
}
