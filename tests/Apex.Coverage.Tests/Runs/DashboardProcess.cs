using System.Diagnostics;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using Apex.Coverage.Web.ApiTokens;

namespace Apex.Coverage.Tests.Runs;

/// <summary>
/// The dashboard as a real process (`dotnet Apex.Coverage.Web.dll`, configured on its command
/// line, working in a folder of the test's own), so a test can do what an in-process host cannot:
/// kill it with SIGKILL and start it again on the same database. Its output is kept to explain a failure.
/// </summary>
public sealed partial class DashboardProcess : IAsyncDisposable
{
    private static readonly TimeSpan StartTimeout = TimeSpan.FromMinutes(3);
    private readonly Process _process;
    private readonly StringBuilder _output = new();
    private readonly TaskCompletionSource<Uri> _listening = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private DashboardProcess(Process process) => _process = process;

    public int Id => _process.Id;

    public Uri Address { get; private set; } = null!;

    /// <summary>Starts the dashboard on a free loopback port and waits until it listens.</summary>
    public static async Task<DashboardProcess> StartAsync(string folder, IEnumerable<(string Key, string Value)> settings, CancellationToken cancellationToken)
    {
        var start = new ProcessStartInfo("dotnet",
            [typeof(Program).Assembly.Location, "--urls=http://127.0.0.1:0", .. settings.Select(s => $"--{s.Key}={s.Value}")])
        {
            WorkingDirectory = folder,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        var dashboard = new DashboardProcess(Process.Start(start)!);
        dashboard._process.OutputDataReceived += (_, line) => dashboard.Keep(line.Data);
        dashboard._process.ErrorDataReceived += (_, line) => dashboard.Keep(line.Data);
        dashboard._process.BeginOutputReadLine();
        dashboard._process.BeginErrorReadLine();
        try
        {
            var exited = dashboard._process.WaitForExitAsync(cancellationToken);
            var listening = dashboard._listening.Task.WaitAsync(StartTimeout, cancellationToken);
            await Task.WhenAny(listening, exited);
            Assert.True(listening.IsCompletedSuccessfully, $"The dashboard did not start listening:\n{dashboard.Output}");
            dashboard.Address = await listening;
            return dashboard;
        }
        catch
        {
            await dashboard.DisposeAsync();
            throw;
        }
    }

    /// <summary>Everything the dashboard wrote so far.</summary>
    public string Output
    {
        get
        {
            lock (_output) return _output.ToString();
        }
    }

    /// <summary>A token with the runs:write scope, made as `tokens create` makes it, in the dashboard's database.</summary>
    public static async Task<string> CreateRunsTokenAsync(string connectionString)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        var exit = await TokenCommandLine.RunAsync(
            ["tokens", "create", "--name", $"kill-{Guid.NewGuid():N}", "--scope", ApiTokenScopes.RunsWrite, "--Data:ConnectionString", connectionString], output, error);
        Assert.True(exit == 0, $"tokens create exited {exit}: {error}");
        return output.ToString().TrimEnd().Split('\n')[^1].Trim();
    }

    /// <summary>POST /api/v1/runs, as CI or a script starts a run; answers the new run's id.</summary>
    public async Task<long> StartRunAsync(string token, object request, CancellationToken cancellationToken)
    {
        using var client = new HttpClient { BaseAddress = Address, Timeout = TimeSpan.FromMinutes(2) };
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        using var response = await client.PostAsJsonAsync("/api/v1/runs", request, cancellationToken);
        var body = await response.Content.ReadAsStringAsync(cancellationToken);
        Assert.True(response.IsSuccessStatusCode, $"POST /api/v1/runs answered {(int)response.StatusCode}: {body}");
        using var created = JsonDocument.Parse(body);
        return created.RootElement.GetProperty("id").GetInt64();
    }

    /// <summary>SIGKILL: no shutdown code runs, so nothing of the dashboard's ends its runs or their processes.</summary>
    public async Task KillHardAsync(CancellationToken cancellationToken)
    {
        _process.Kill(entireProcessTree: false);
        await _process.WaitForExitAsync(cancellationToken);
    }

    private void Keep(string? line)
    {
        if (line is null) return;
        lock (_output) _output.AppendLine(line);
        if (ListeningLine().Match(line) is { Success: true } match)
        {
            _listening.TrySetResult(new Uri(match.Groups[1].Value));
        }
    }

    [GeneratedRegex(@"Now listening on: (http://\S+)")]
    private static partial Regex ListeningLine();

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync(CancellationToken.None);
        }

        _process.Dispose();
    }
}
