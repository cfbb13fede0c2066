namespace Apex.Coverage.Tests.Runs;

/// <summary>Reads /proc: which of this test process's fixture processes are alive, and which vstest.console serves them.</summary>
public static class ProcessTable
{
    /// <summary>Set on every hanging fixture suite, so the checks below see this test process's fixtures only,
    /// never those of another checkout's tests running on the same machine.</summary>
    public const string OwnerVariable = "APEX_TEST_OWNER";

    public static string Owner { get; } = Environment.ProcessId.ToString(System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>
    /// The vstest.console (or other child of this process matching <paramref name="marker"/>) that is an
    /// ancestor of a process carrying <paramref name="variable"/>: other collections run their own consoles
    /// in parallel, so "the only child" is not enough to tell which one serves a given run.
    /// </summary>
    public static IEnumerable<int> ChildAncestorsOf(string variable, string commandLinePart, string marker)
    {
        var table = Processes().ToDictionary(p => p.Pid);
        return Carrying(variable, commandLinePart).Select(pid => Ancestors(table, pid)
                .FirstOrDefault(p => p.Parent == Owner && p.CommandLine.Contains(marker, StringComparison.Ordinal)).Pid)
            .Where(pid => pid != 0).Distinct();
    }

    private static IEnumerable<(int Pid, string Parent, string CommandLine, string Environment)> Ancestors(
        Dictionary<int, (int Pid, string Parent, string CommandLine, string Environment)> table, int pid)
    {
        for (var hops = 0; hops < 16 && table.TryGetValue(pid, out var entry); hops++)
        {
            yield return entry;
            if (!int.TryParse(entry.Parent, out pid)) yield break;
        }
    }

    public static IEnumerable<int> Carrying(string variable, string commandLinePart) =>
        Processes().Where(p => p.Environment.Contains(variable + "\0", StringComparison.Ordinal)
            && p.Environment.Contains($"{OwnerVariable}={Owner}\0", StringComparison.Ordinal)
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
