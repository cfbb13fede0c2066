using System.Diagnostics;
using System.Globalization;

namespace Apex.Coverage.Web.Ingestion;

/// <summary>
/// Deletes upload spool files (<c>apex-upload-*.xml</c> in the temp folder, up to the body limit
/// each) that a killed dashboard left behind: a spool file is deleted when its upload ends, but a
/// kill -9 ends no upload. A file belongs to the process whose id its name carries, and is left
/// alone while that process lives (another dashboard on the machine may be spooling); files from
/// before names carried an id are deleted once an hour old.
/// </summary>
internal sealed partial class SpoolSweeper(TimeProvider time, ILogger<SpoolSweeper> logger) : IHostedService
{
    public const string Prefix = "apex-upload-";

    private static readonly TimeSpan UnownedAge = TimeSpan.FromHours(1);

    public static string NewSpoolPath() =>
        Path.Combine(Path.GetTempPath(), $"{Prefix}{Environment.ProcessId.ToString(CultureInfo.InvariantCulture)}-{Guid.NewGuid():N}.xml");

    public Task StartAsync(CancellationToken cancellationToken)
    {
        var swept = Sweep(Path.GetTempPath());
        if (swept > 0)
        {
            LogSwept(swept, Path.GetTempPath());
        }

        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public int Sweep(string folder)
    {
        var swept = 0;
        foreach (var file in Directory.EnumerateFiles(folder, $"{Prefix}*.xml"))
        {
            if (IsOrphan(file) && TryDelete(file))
            {
                swept++;
            }
        }

        return swept;
    }

    private bool IsOrphan(string file)
    {
        var rest = Path.GetFileNameWithoutExtension(file)[Prefix.Length..];
        var dash = rest.IndexOf('-', StringComparison.Ordinal);
        if (dash > 0 && int.TryParse(rest.AsSpan(0, dash), NumberStyles.None, CultureInfo.InvariantCulture, out var pid))
        {
            return pid != Environment.ProcessId && !IsAlive(pid);
        }

        return time.GetUtcNow() - File.GetLastWriteTimeUtc(file) > UnownedAge;
    }

    private static bool IsAlive(int pid)
    {
        try
        {
            using var process = Process.GetProcessById(pid);
            return !process.HasExited;
        }
        catch (Exception error) when (error is ArgumentException or InvalidOperationException)
        {
            return false;
        }
    }

    private static bool TryDelete(string file)
    {
        try
        {
            File.Delete(file);
            return true;
        }
        catch (Exception error) when (error is IOException or UnauthorizedAccessException)
        {
            return false;
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Deleted {Count} orphaned upload spool file(s) in {Folder}")]
    private partial void LogSwept(int count, string folder);
}
