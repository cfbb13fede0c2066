using Apex.Integration.Infrastructure;

namespace Apex.Integration.DatabaseCoordination.Topology;

/// <summary>
/// A temp directory that cannot outlive the test host: a watchdog holds it around a placeholder
/// process (<c>sleep infinity</c>) and deletes it when disposed or when the test host dies, like
/// the directory of any server the suite starts. Its name carries apex-it-&lt;run id&gt;-.
/// </summary>
public static class ScratchDirectory
{
    public static async Task<WatchedProcess> HoldAsync(string name)
    {
        var run = Environment.GetEnvironmentVariable("APEX_TEST_RUN_ID") is { Length: > 0 } id ? id : "adhoc";
        var path = Path.Combine(Path.GetTempPath(), $"apex-it-{run}-{name}-{Guid.NewGuid():N}");
        Directory.CreateDirectory(path);
        return await WatchedProcess.StartAsync(new ServerCommand(["sleep", "infinity"], path), Environment.ProcessId);
    }
}
