using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Apex.Coverage.Web.TestingPlatform;

/// <summary>
/// What a test app is started with beyond server mode: extra command-line options (an extension's, such as
/// coverlet's), and how long it may take to leave once told to exit before it is killed (an extension may
/// write its report then).
/// </summary>
public sealed record TestAppOptions(IReadOnlyList<string> Arguments, TimeSpan ExitWait)
{
    public static TestAppOptions Default { get; } = new([], TimeSpan.FromSeconds(5));
}

/// <summary>The test app could not be started in server mode; the message says why in the app's words.</summary>
public sealed class TestAppStartException(string cause) : Exception(cause);

/// <summary>
/// A Microsoft.Testing.Platform test app started in server mode: `dotnet app.dll --server
/// --client-port N`, and the app connects back to this process on loopback port N. The app's
/// output is drained and its tail kept, so a crash can be explained in its own words.
/// </summary>
public sealed class TestAppProcess : IAsyncDisposable
{
    private const int TailLength = 2_000;
    private readonly Process _process;
    private readonly TcpListener _listener;
    private readonly StringBuilder _tail = new();

    private readonly TimeSpan _exitWait;

    private TestAppProcess(Process process, TcpListener listener, TimeSpan exitWait) => (_process, _listener, _exitWait) = (process, listener, exitWait);

    public TcpClient? Client { get; private set; }

    /// <summary>The test host's connection when the app is a test host controller (see <see cref="AcceptTestHostAsync"/>).</summary>
    public TcpClient? TestHostClient { get; private set; }

    public int Id => _process.Id;

    public bool HasExited => _process.HasExited;

    /// <summary>
    /// Starts the app (with <see cref="TestAppOptions.Arguments"/> after the server-mode ones) and waits until it
    /// connects, it exits, or <paramref name="connectTimeout"/> passes.
    /// </summary>
    public static async Task<TestAppProcess> StartAsync(string assembly, IReadOnlyDictionary<string, string> environment,
        TimeSpan connectTimeout, CancellationToken cancellationToken, TestAppOptions? options = null)
    {
        options ??= TestAppOptions.Default;
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port.ToString(CultureInfo.InvariantCulture);
        var start = new ProcessStartInfo("dotnet", [assembly, "--server", "--client-port", port, "--no-banner", .. options.Arguments])
        {
            WorkingDirectory = Path.GetDirectoryName(assembly)!,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.Environment["TESTINGPLATFORM_TELEMETRY_OPTOUT"] = "1";
        start.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        foreach (var (name, value) in environment) start.Environment[name] = value;

        var app = new TestAppProcess(Process.Start(start) ?? throw new TestAppStartException("the process did not start"), listener, options.ExitWait);
        app.Drain();
        try
        {
            app.Client = await app.AcceptAsync(connectTimeout, cancellationToken);
            return app;
        }
        catch
        {
            await app.DisposeAsync();
            throw;
        }
    }

    /// <summary>
    /// An app with a test host controller extension (coverlet's) answers the first connection as the controller,
    /// then starts the test host, which dials the same port: this waits for that second connection.
    /// </summary>
    public async Task<TcpClient> AcceptTestHostAsync(TimeSpan connectTimeout, CancellationToken cancellationToken) =>
        TestHostClient = await AcceptAsync(connectTimeout, cancellationToken);

    private async Task<TcpClient> AcceptAsync(TimeSpan connectTimeout, CancellationToken cancellationToken)
    {
        using var waiting = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        waiting.CancelAfter(connectTimeout);
        var accepting = _listener.AcceptTcpClientAsync(waiting.Token).AsTask();
        var exiting = _process.WaitForExitAsync(waiting.Token);
        await Task.WhenAny(accepting, exiting);
        if (accepting.IsCompletedSuccessfully)
        {
            return accepting.Result;
        }

        cancellationToken.ThrowIfCancellationRequested();
        if (_process.HasExited)
        {
            await _process.WaitForExitAsync(CancellationToken.None);
            throw new TestAppStartException($"exited with code {_process.ExitCode} before it connected{Said()}");
        }

        throw new TestAppStartException($"did not connect within {connectTimeout}{Said()}");
    }

    /// <summary>The app's exit code once it exited within <paramref name="wait"/>, otherwise null.</summary>
    public async Task<int?> ExitCodeAsync(TimeSpan wait)
    {
        using var timeout = new CancellationTokenSource(wait);
        try
        {
            await _process.WaitForExitAsync(timeout.Token);
            return _process.ExitCode;
        }
        catch (OperationCanceledException)
        {
            return null;
        }
    }

    /// <summary>The last thing the app wrote, quoted for a message; empty when it wrote nothing.</summary>
    public string Said()
    {
        string text;
        lock (_tail) text = _tail.ToString().Trim();
        var line = text.Split('\n').Select(l => l.Trim()).FirstOrDefault(l => l.Length > 0);
        return line is null ? string.Empty : $" (it wrote: \"{line}\")";
    }

    public void Kill()
    {
        try
        {
            _process.Kill(entireProcessTree: true);
        }
        catch (Exception error) when (error is InvalidOperationException or System.ComponentModel.Win32Exception)
        {
            // Already gone.
        }
    }

    private void Drain()
    {
        _process.OutputDataReceived += (_, line) => Keep(line.Data);
        _process.ErrorDataReceived += (_, line) => Keep(line.Data);
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
    }

    private void Keep(string? line)
    {
        if (line is null) return;
        lock (_tail)
        {
            if (_tail.Length < TailLength) _tail.AppendLine(line);
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (await ExitCodeAsync(_exitWait) is null)
        {
            Kill();
            await ExitCodeAsync(TimeSpan.FromSeconds(5));
        }

        TestHostClient?.Dispose();
        Client?.Dispose();
        _listener.Stop();
        _listener.Dispose();
        _process.Dispose();
    }
}
