using System.Diagnostics;

namespace Apex.Integration.Infrastructure;

/// <summary>
/// A server process started under a small bash watchdog. The watchdog stops the server and deletes
/// its temp directory when asked to (normal end of the run) and also when the owner process — the
/// test host — disappears, which covers an aborted run and a crashed or killed test host: xunit
/// never gets to dispose fixtures then, so the cleanup cannot live in the test host itself.
/// </summary>
public sealed class WatchedProcess : IAsyncDisposable
{
    /// <summary>Marker in every watchdog's command line, so CI can assert none is left behind.</summary>
    public const string Marker = "apex-it-watchdog";

    // $1 owner pid, $2 temp dir, $3 stop signal, rest: the server command line.
    // /proc/<pid> rather than `kill -0`: the watchdog may run as another user than its owner.
    private const string Script = """
        owner=$1; dir=$2; sig=$3; shift 3
        "$@" &
        child=$!
        echo "apex-server-pid=$child"
        stop() {
          kill -"$sig" "$child" 2>/dev/null
          for _ in $(seq 100); do kill -0 "$child" 2>/dev/null || break; sleep 0.1; done
          kill -KILL "$child" 2>/dev/null
          wait "$child" 2>/dev/null
          # Another server may still be writing inside $dir (a topology's nodes live under the
          # directory its keeper holds, and stop on their own watchdogs' schedule), so rm -rf can
          # lose the race to a file created mid-delete: try again until the directory is gone.
          for _ in $(seq 150); do rm -rf "$dir" 2>/dev/null; [ -e "$dir" ] || break; sleep 0.2; done
          exit 0
        }
        trap stop TERM INT HUP
        while [ -d "/proc/$owner" ] && kill -0 "$child" 2>/dev/null; do sleep 0.2; done
        stop
        """;

    private const string PidLine = "apex-server-pid=";
    private const int OutputLines = 30;
    private readonly Process _watchdog;
    private readonly System.Collections.Concurrent.ConcurrentQueue<string> _output;

    private WatchedProcess(Process watchdog, string directory, int serverId, System.Collections.Concurrent.ConcurrentQueue<string> output)
    {
        _watchdog = watchdog;
        _output = output;
        Directory = directory;
        ServerId = serverId;
        // Kept apart from _watchdog: Process.Id throws once the Process object is disposed.
        WatchdogId = watchdog.Id;
    }

    public string Directory { get; }

    public int WatchdogId { get; }

    /// <summary>The server's own process id (the watchdog's child).</summary>
    public int ServerId { get; }

    public bool HasExited => IsGone(WatchdogId);

    public bool ServerHasExited => IsGone(ServerId);

    /// <summary>The last lines the server wrote (stdout and stderr), for a message that says why it stopped.</summary>
    public string RecentOutput => _output.IsEmpty ? "(it wrote nothing)" : string.Join('\n', _output);

    public static async Task<WatchedProcess> StartAsync(ServerCommand command, int ownerPid)
    {
        var process = Process.Start(StartInfo(command, ownerPid)) ?? throw new InvalidOperationException($"Could not start {command.Arguments[0]}.");
        var serverId = new TaskCompletionSource<int>(TaskCreationOptions.RunContinuationsAsynchronously);
        // Keep draining both pipes so a chatty server never blocks on a full pipe.
        var output = new System.Collections.Concurrent.ConcurrentQueue<string>();
        process.OutputDataReceived += (_, e) =>
        {
            if (e.Data?.StartsWith(PidLine, StringComparison.Ordinal) == true) serverId.TrySetResult(int.Parse(e.Data[PidLine.Length..]));
            else Keep(output, e.Data);
        };
        process.ErrorDataReceived += (_, e) => Keep(output, e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        var id = await serverId.Task.WaitAsync(TimeSpan.FromSeconds(10));
        return new WatchedProcess(process, command.Directory, id, output);
    }

    private static void Keep(System.Collections.Concurrent.ConcurrentQueue<string> output, string? line)
    {
        if (line is null) return;
        output.Enqueue(line);
        while (output.Count > OutputLines) output.TryDequeue(out _);
    }

    /// <summary>bash (as <see cref="ServerCommand.RunAsUser"/> when set) running the watchdog script around the server's command.</summary>
    private static ProcessStartInfo StartInfo(ServerCommand command, int ownerPid)
    {
        var info = new ProcessStartInfo(command.RunAsUser is null ? "bash" : "runuser")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        if (command.RunAsUser is not null)
        {
            foreach (var arg in new[] { "-u", command.RunAsUser, "--", "bash" }) info.ArgumentList.Add(arg);
        }

        foreach (var arg in new[] { "-c", Script, Marker, ownerPid.ToString(), command.Directory, command.StopSignal })
        {
            info.ArgumentList.Add(arg);
        }

        foreach (var arg in command.Arguments) info.ArgumentList.Add(arg);
        return info;
    }

    /// <summary>True when no process has this id any more (a zombie awaiting its parent counts as gone).</summary>
    private static bool IsGone(int pid)
    {
        try
        {
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            return stat[(stat.LastIndexOf(')') + 2)..].StartsWith('Z');
        }
        catch (IOException)
        {
            return true;
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (!HasExited)
        {
            // SIGTERM to the watchdog (not the server): it stops the server its own way, then cleans up.
            using (var kill = Process.Start("kill", ["-TERM", _watchdog.Id.ToString()]))
            {
                await kill.WaitForExitAsync();
            }

            // Generous: the watchdog waits up to 10 s for the server, then deletes its directory; a
            // PostgreSQL data directory holding every test class's database took over 30 s to stop
            // and delete on a machine loaded by parallel builds. The leftover check in
            // scripts/test-all.sh still catches a watchdog that never ends.
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(120));
            await _watchdog.WaitForExitAsync(timeout.Token);
        }

        _watchdog.Dispose();
    }
}

/// <summary>What to start: the command line, its temp directory, how to stop it, and as whom.</summary>
public sealed record ServerCommand(IReadOnlyList<string> Arguments, string Directory, string StopSignal = "TERM", string? RunAsUser = null);
