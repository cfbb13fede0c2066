using System.Diagnostics;

namespace Apex.Coverage.Tests.Ingestion;

/// <summary>Runs the dashboard's built dll as a person would: `dotnet Apex.Coverage.Web.dll tokens ...`.</summary>
internal static class CliProcess
{
    public static async Task<string> CreateTokenAsync(string workingDirectory, string connectionString, string name, CancellationToken cancellationToken)
    {
        // The configuration comes from appsettings.json in the working directory, as from the repo root.
        await File.WriteAllTextAsync(Path.Combine(workingDirectory, "appsettings.json"),
            $$"""{ "Data": { "ConnectionString": "{{connectionString.Replace("\\", "\\\\", StringComparison.Ordinal)}}" } }""", cancellationToken);
        var start = new ProcessStartInfo("dotnet", [typeof(Program).Assembly.Location, "tokens", "create", "--name", name])
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        start.Environment.Remove("Data__ConnectionString");
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync(cancellationToken);
        var error = process.StandardError.ReadToEndAsync(cancellationToken);
        await process.WaitForExitAsync(cancellationToken).WaitAsync(TimeSpan.FromMinutes(2), cancellationToken);
        Assert.True(process.ExitCode == 0, $"tokens create exited {process.ExitCode}: {await error}");
        return (await output).TrimEnd().Split('\n')[^1];
    }
}
