namespace Apex.Coverage.Tests.Runs;

/// <summary>Reads /proc: which processes this test process started, and which carry an environment variable.</summary>
public static class ProcessTable
{
    public static IEnumerable<int> ChildrenRunning(string marker)
    {
        var self = Environment.ProcessId.ToString(System.Globalization.CultureInfo.InvariantCulture);
        return Processes().Where(p => p.Parent == self && p.CommandLine.Contains(marker, StringComparison.Ordinal)).Select(p => p.Pid);
    }

    public static IEnumerable<int> Carrying(string variable, string commandLinePart) =>
        Processes().Where(p => p.Environment.Contains(variable + "\0", StringComparison.Ordinal)
            && p.CommandLine.Contains(commandLinePart, StringComparison.Ordinal)).Select(p => p.Pid);

    private static IEnumerable<(int Pid, string Parent, string CommandLine, string Environment)> Processes()
    {
        foreach (var dir in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(dir), out var pid)) continue;
            (int, string, string, string)? entry;
            try
            {
                var stat = File.ReadAllText(Path.Combine(dir, "stat"));
                entry = (pid, stat[(stat.LastIndexOf(')') + 2)..].Split(' ')[1],
                    File.ReadAllText(Path.Combine(dir, "cmdline")), File.ReadAllText(Path.Combine(dir, "environ")));
            }
            catch (Exception error) when (error is IOException or UnauthorizedAccessException)
            {
                entry = null;
            }

            if (entry is { } found) yield return found;
        }
    }
}
