using System.Globalization;
using System.Net;
using System.Net.Sockets;
using Apex.Integration.Infrastructure;

namespace Apex.Integration.PerformanceScalability;

/// <summary>
/// The item 79 workload (tests/Apex.Integration.LeakWorkload) as a child process of the test host:
/// started under the suite's watchdog with the apex-it-&lt;run id&gt;- marker on its command line, so
/// it dies with the test host, and driven round by round over a loopback connection. Its heap is
/// its own: whatever the other test classes allocate or release meanwhile is not in it.
/// </summary>
internal sealed class LeakWorkloadProcess : IAsyncDisposable
{
    private static readonly TimeSpan Answer = TimeSpan.FromSeconds(60);
    private readonly WatchedProcess _process;
    private readonly TcpClient _control;
    private readonly StreamReader _reader;
    private readonly StreamWriter _writer;

    private LeakWorkloadProcess(WatchedProcess process, TcpClient control)
    {
        _process = process;
        _control = control;
        _reader = new StreamReader(control.GetStream());
        _writer = new StreamWriter(control.GetStream()) { AutoFlush = true };
    }

    public int ProcessId => _process.ServerId;

    /// <summary>Listeners the hub still holds after the last round, as the workload reports it.</summary>
    public int Listeners { get; private set; }

    public static async Task<LeakWorkloadProcess> StartAsync(bool leak, int heldBytes, int iterationsPerRound, CancellationToken cancellationToken)
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        try
        {
            var directory = NewRunDirectory();
            var dll = Path.Combine(AppContext.BaseDirectory, "Apex.Integration.LeakWorkload.dll");
            var port = ((IPEndPoint)listener.LocalEndpoint).Port;
            string[] arguments = ["dotnet", dll, $"{port}", leak ? "leak" : "dispose", $"{heldBytes}", $"{iterationsPerRound}", directory];
            var process = await WatchedProcess.StartAsync(new ServerCommand(arguments, directory), Environment.ProcessId);
            var control = await listener.AcceptTcpClientAsync(cancellationToken).AsTask().WaitAsync(Answer, cancellationToken);
            return new LeakWorkloadProcess(process, control);
        }
        finally
        {
            listener.Stop();
        }
    }

    /// <summary>Runs one round in the child and answers how many iterations it has run in all.</summary>
    public async Task<int> RunRoundAsync(CancellationToken cancellationToken)
    {
        await _writer.WriteLineAsync("round".AsMemory(), cancellationToken);
        var line = await _reader.ReadLineAsync(cancellationToken).AsTask().WaitAsync(Answer, cancellationToken)
            ?? throw new InvalidOperationException("The leak workload ended before answering.");
        // "ran <iterations> listeners <count>"
        var words = line.Split(' ');
        Listeners = int.Parse(words[3], CultureInfo.InvariantCulture);
        return int.Parse(words[1], CultureInfo.InvariantCulture);
    }

    private static string NewRunDirectory()
    {
        var run = Environment.GetEnvironmentVariable("APEX_TEST_RUN_ID") is { Length: > 0 } id ? id : "adhoc";
        var path = Path.Combine(Path.GetTempPath(), $"apex-it-{run}-leak-workload-{Guid.NewGuid():N}");
        Directory.CreateDirectory(path);
        return path;
    }

    public async ValueTask DisposeAsync()
    {
        // Closing the connection ends the workload; the watchdog then removes its directory.
        _control.Dispose();
        await _process.DisposeAsync();
    }
}
