using System.Diagnostics;
using System.Globalization;

namespace Apex.Coverage.Web.Runs;

/// <summary>
/// Ends the processes a run left behind. xunit v3 runs the tests in a child process of the test
/// host; aborting the host orphans that child, and a hung test would keep it (and whatever servers
/// it started) alive forever. Every process of a run carries the run's marker in its environment
/// (set through the runsettings), so after the run whatever still carries it is killed. Linux only:
/// it reads /proc.
/// </summary>
public static class RunProcessReaper
{
    public const string MarkerVariable = "APEX_RUN_MARKER";

    public static string NewMarker(long runId) => $"apex-run-{runId}-{Guid.NewGuid():N}";

    public static int Reap(string marker)
    {
        if (!OperatingSystem.IsLinux())
        {
            return 0;
        }

        var needle = $"{MarkerVariable}={marker}\0";
        var killed = 0;
        foreach (var pid in Directory.EnumerateDirectories("/proc").Select(Path.GetFileName).Select(ParsePid).OfType<int>())
        {
            if (pid != Environment.ProcessId && Carries(pid, needle) && TryKill(pid))
            {
                killed++;
            }
        }

        return killed;
    }

    private static int? ParsePid(string? name) => int.TryParse(name, NumberStyles.None, CultureInfo.InvariantCulture, out var pid) ? pid : null;

    private static bool Carries(int pid, string needle)
    {
        try
        {
            return File.ReadAllText($"/proc/{pid}/environ").Contains(needle, StringComparison.Ordinal);
        }
        catch (Exception error) when (error is IOException or UnauthorizedAccessException)
        {
            return false;
        }
    }

    private static bool TryKill(int pid)
    {
        try
        {
            using var process = Process.GetProcessById(pid);
            process.Kill(entireProcessTree: true);
            return true;
        }
        catch (Exception error) when (error is ArgumentException or InvalidOperationException or System.ComponentModel.Win32Exception)
        {
            return false;
        }
    }
}
