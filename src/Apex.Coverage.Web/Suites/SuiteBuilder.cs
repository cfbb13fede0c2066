using System.Diagnostics;
using System.Text;

namespace Apex.Coverage.Web.Suites;

public sealed record BuildOutcome(bool Succeeded, string Log);

/// <summary>
/// Builds a suite's project with `dotnet build`, handing each output line to the caller as it
/// comes. Build servers are disabled: node reuse and the compiler server would keep the output
/// pipes open after the build ends, and a canceled build must leave no process behind.
/// </summary>
public sealed class SuiteBuilder
{
    public async Task<BuildOutcome> BuildAsync(Suite suite, Action<string> onLine, CancellationToken cancellationToken)
    {
        var log = new StringBuilder();
        using var process = new Process { StartInfo = StartInfoFor(suite), EnableRaisingEvents = true };
        void Append(string? line)
        {
            if (line is null)
            {
                return;
            }

            lock (log)
            {
                log.AppendLine(line);
            }

            onLine(line);
        }

        Append(suite.Build.Describe(suite.Project!));
        process.OutputDataReceived += (_, e) => Append(e.Data);
        process.ErrorDataReceived += (_, e) => Append(e.Data);
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        try
        {
            await process.WaitForExitAsync(cancellationToken);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw;
        }

        lock (log)
        {
            return new BuildOutcome(process.ExitCode == 0, log.ToString());
        }
    }

    private static ProcessStartInfo StartInfoFor(Suite suite)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in (string[])["build", suite.Project!, "-nologo", "--disable-build-servers", "-v", "minimal", "-clp:NoSummary", .. suite.Build.Arguments()])
        {
            start.ArgumentList.Add(argument);
        }

        start.Environment["MSBUILDDISABLENODEREUSE"] = "1";
        start.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        foreach (var (name, value) in suite.Environment)
        {
            start.Environment[name] = value;
        }

        return start;
    }
}
