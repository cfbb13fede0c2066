using System.Diagnostics;

namespace Apex.Coverage.Web.Mutation;

public enum StrykerEnd
{
    Exited,
    OverBudget,
    Canceled,
}

/// <summary>How Stryker ended; <see cref="CoverageCaptureFailed"/> when it said it could not see which tests reach which mutant.</summary>
public sealed record StrykerResult(StrykerEnd End, int? ExitCode, IReadOnlyList<string> LastLines)
{
    public bool CoverageCaptureFailed { get; init; }

    /// <summary>How far the mutants' testing got, from the dots reporter; null when it never began.</summary>
    public string? Tally { get; init; }
}

/// <summary>
/// Runs `dotnet tool run dotnet-stryker` once: its output is read as it comes (progress goes to
/// <c>onProgress</c>), the time budget and a cancel end it with its whole process tree (Stryker's
/// test hosts included), and the last lines are kept to say why a run failed.
/// </summary>
public sealed class StrykerProcess(TimeProvider clock)
{
    private bool _captureFailed;

    public async Task<StrykerResult> RunAsync(string workingDirectory, IReadOnlyList<string> arguments, IReadOnlyDictionary<string, string> environment,
        TimeSpan budget, Func<int?, int?, Task> onProgress, CancellationToken cancellationToken)
    {
        Volatile.Write(ref _captureFailed, false);
        var progress = new StrykerProgress();
        using var process = Start(workingDirectory, arguments, environment);
        var lines = new Queue<string>();
        using var overBudget = new CancellationTokenSource(budget, clock);
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, overBudget.Token);
        try
        {
            var errors = DrainErrorsAsync(process.StandardError, lines, stop.Token);
            await DrainOutputAsync(process.StandardOutput, lines, progress, onProgress, stop.Token);
            await errors;
            await process.WaitForExitAsync(stop.Token);
            return new StrykerResult(StrykerEnd.Exited, process.ExitCode, [.. lines]) { CoverageCaptureFailed = Volatile.Read(ref _captureFailed), Tally = progress.Tally };
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync(CancellationToken.None);
            return new StrykerResult(cancellationToken.IsCancellationRequested ? StrykerEnd.Canceled : StrykerEnd.OverBudget, null, [.. lines]) { Tally = progress.Tally };
        }
    }

    private static Process Start(string workingDirectory, IReadOnlyList<string> arguments, IReadOnlyDictionary<string, string> environment)
    {
        var info = new ProcessStartInfo("dotnet")
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in arguments) info.ArgumentList.Add(argument);
        foreach (var (name, value) in environment) info.Environment[name] = value;
        // Plain lines: no ANSI colours in what is parsed and shown.
        info.Environment["NO_COLOR"] = "1";
        // Stryker's runner tests every mutant in one long-lived test process: hosts the suite builds there must not each
        // keep an inotify watcher on their settings (128 per user on Linux), or the machine runs out within minutes.
        info.Environment["DOTNET_hostBuilder__reloadConfigOnChange"] = "false";
        return Process.Start(info) ?? throw new InvalidOperationException("dotnet could not be started.");
    }

    /// <summary>Stryker's output in chunks, so the dots reporter's marks count as they arrive, not when their line ends.</summary>
    private async Task DrainOutputAsync(StreamReader reader, Queue<string> lines, StrykerProgress progress, Func<int?, int?, Task> onProgress,
        CancellationToken cancellationToken)
    {
        var buffer = new char[4096];
        int read;
        while ((read = await reader.ReadAsync(buffer, cancellationToken)) > 0)
        {
            var (complete, moved) = progress.Feed(buffer.AsSpan(0, read));
            foreach (var line in complete) Keep(line, lines);
            if (moved) await onProgress(progress.Tested, progress.Total);
        }
    }

    private async Task DrainErrorsAsync(StreamReader reader, Queue<string> lines, CancellationToken cancellationToken)
    {
        while (await reader.ReadLineAsync(cancellationToken) is { } line)
        {
            Keep(line, lines);
        }
    }

    private void Keep(string line, Queue<string> lines)
    {
        if (line.Contains("coverage capture failed", StringComparison.OrdinalIgnoreCase)) Volatile.Write(ref _captureFailed, true);
        lock (lines)
        {
            lines.Enqueue(line);
            if (lines.Count > 40) lines.Dequeue();
        }
    }
}
