using System.Diagnostics;
using DotNet.Testcontainers.Containers;

namespace Apex.Integration.Infrastructure;

/// <summary>
/// One server for the whole test assembly, found in this order: a connection string in the
/// environment; a Testcontainers container where a Docker engine answers; a throwaway server from
/// the local binary. Subclasses say how to do each; this class decides which and cleans up.
/// </summary>
public abstract class ServerFixture : IAsyncLifetime
{
    private IContainer? _container;
    private WatchedProcess? _process;

    public ServerSource Source { get; private set; }

    protected abstract string Name { get; }

    protected abstract string EnvironmentVariable { get; }

    public async ValueTask InitializeAsync()
    {
        var fromEnvironment = Environment.GetEnvironmentVariable(EnvironmentVariable);
        if (!string.IsNullOrWhiteSpace(fromEnvironment))
        {
            Source = ServerSource.Environment;
            await UseExistingAsync(fromEnvironment);
        }
        else if (await DockerEngine.IsAvailableAsync())
        {
            Source = ServerSource.Container;
            _container = CreateContainer();
            await _container.StartAsync();
            await UseContainerAsync(_container);
        }
        else
        {
            Source = ServerSource.LocalProcess;
            _process = await StartLocalAsync(Environment.ProcessId);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await DisposeClientsAsync();
        if (_container is not null) await _container.DisposeAsync();
        if (_process is not null) await _process.DisposeAsync();
        GC.SuppressFinalize(this);
    }

    /// <summary>Starts a local server owned by <paramref name="ownerPid"/>: it dies with that process.</summary>
    public abstract Task<WatchedProcess> StartLocalAsync(int ownerPid);

    protected abstract Task UseExistingAsync(string connection);

    protected abstract IContainer CreateContainer();

    protected abstract Task UseContainerAsync(IContainer container);

    protected virtual ValueTask DisposeClientsAsync() => ValueTask.CompletedTask;

    protected string NewTempDirectory()
    {
        // The run id (set by scripts/test-all.sh) lets a run check for its own leftovers only,
        // even while other test runs share the machine.
        var run = Environment.GetEnvironmentVariable("APEX_TEST_RUN_ID") is { Length: > 0 } id ? id : "adhoc";
        var path = Path.Combine(Path.GetTempPath(), $"apex-it-{run}-{Name}-{Guid.NewGuid():N}");
        Directory.CreateDirectory(path);
        return path;
    }

    /// <summary>The full path of a server binary, or an error that says how to get it.</summary>
    protected string RequireBinary(string binary, string debianPackage)
    {
        var found = (Environment.GetEnvironmentVariable("PATH") ?? string.Empty)
            .Split(':', StringSplitOptions.RemoveEmptyEntries)
            .Append("/usr/sbin").Append("/usr/lib/postgresql/15/bin")
            .Select(dir => Path.Combine(dir, binary))
            .FirstOrDefault(File.Exists);
        return found ?? throw new InvalidOperationException(
            $"{Name}: no {EnvironmentVariable} set, no Docker engine, and '{binary}' is not installed. " +
            $"Install it (apt-get install {debianPackage}) or point {EnvironmentVariable} at a running server.");
    }

    protected static async Task WaitUntilAsync(string what, Func<Task<bool>> ready, WatchedProcess process)
    {
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < TimeSpan.FromSeconds(60))
        {
            if (process.HasExited) throw new InvalidOperationException($"{what} exited during start-up. Its last output:\n{process.RecentOutput}");
            try
            {
                if (await ready()) return;
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                // Not accepting connections yet: keep polling until the deadline.
            }

            await Task.Delay(100);
        }

        throw new TimeoutException($"{what} did not become ready within 60 s.");
    }

    protected static async Task RunToCompletionAsync(string file, params string[] arguments)
    {
        var info = new ProcessStartInfo(file) { RedirectStandardError = true, RedirectStandardOutput = true };
        foreach (var argument in arguments) info.ArgumentList.Add(argument);
        using var process = Process.Start(info)!;
        var stderr = process.StandardError.ReadToEndAsync();
        _ = await process.StandardOutput.ReadToEndAsync();
        await process.WaitForExitAsync();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"{file} {string.Join(' ', arguments)} failed ({process.ExitCode}): {await stderr}");
        }
    }
}
