using Apex.Coverage.Web.Data;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Apex.Coverage.Web.CodeCoverage;

/// <summary>
/// After a coverage run: finds the Cobertura report the collector wrote (an attachment of the
/// run, else under the run's results folder), reads it and stores the target's figures. Whatever
/// goes wrong — no report, a damaged one, nothing of the target in it — becomes a note on the run;
/// the run's results are never touched. Safe to run twice: a run's coverage is replaced.
/// </summary>
public sealed partial class CodeCoverageRecorder(
    IDbContextFactory<CoverageDbContext> databases, IOptions<CodeCoverageOptions> options, TimeProvider time, ILogger<CodeCoverageRecorder> logger)
{
    /// <summary>Records the run's coverage; returns why it is missing, or null when it was stored.</summary>
    public async Task<string?> RecordAsync(long runId, IReadOnlyList<string> attachments, string resultsDirectory, string? missing)
    {
        var target = options.Value.TargetAssembly;
        string? note;
        CoverageSummary? summary = null;
        try
        {
            note = missing ?? (FindReport(attachments, resultsDirectory) is { } report
                ? Describe(summary = await ReadAsync(target, report), target)
                : "the collector wrote no coverage report.");
        }
        catch (CoverageReportException error)
        {
            note = "the coverage report could not be read: " + error.Message;
        }
        catch (IOException error)
        {
            note = "the coverage report could not be read: " + error.Message;
        }

        await StoreAsync(runId, target, note is null ? summary : null, note);
        TryDelete(resultsDirectory);
        if (note is not null) LogMissing(runId, note);
        return note is null ? null : $"Code coverage is missing: {note}";
    }

    private static string? Describe(CoverageSummary summary, string target) =>
        summary.Counts.LinesValid > 0 ? null : $"the report holds no lines of {target} (is it loaded by the tests, and built with symbols?).";

    private static async Task<CoverageSummary> ReadAsync(string target, string report)
    {
        await using var stream = new FileStream(report, FileMode.Open, FileAccess.Read, FileShare.Read, 64 * 1024, useAsync: true);
        return CodeCoverageSummarizer.Summarize(target, await CoberturaReader.ReadAsync(stream, CancellationToken.None));
    }

    private static string? FindReport(IReadOnlyList<string> attachments, string resultsDirectory)
    {
        var attached = attachments.FirstOrDefault(a => a.EndsWith(".cobertura.xml", StringComparison.OrdinalIgnoreCase) && File.Exists(a));
        if (attached is not null || !Directory.Exists(resultsDirectory))
        {
            return attached;
        }

        // coverlet's MTP extension stamps its report's name: coverage.cobertura.<time>.xml.
        return Directory.EnumerateFiles(resultsDirectory, "*.cobertura*.xml", SearchOption.AllDirectories).FirstOrDefault();
    }

    private async Task StoreAsync(long runId, string target, CoverageSummary? summary, string? note)
    {
        await using var db = await databases.CreateDbContextAsync(CancellationToken.None);
        await using var transaction = await db.Database.BeginTransactionAsync(CancellationToken.None);
        await db.FileCodeCoverage.Where(f => f.RunId == runId).ExecuteDeleteAsync(CancellationToken.None);
        await db.ModuleCodeCoverage.Where(m => m.RunId == runId).ExecuteDeleteAsync(CancellationToken.None);
        await db.RunCodeCoverage.Where(c => c.RunId == runId).ExecuteDeleteAsync(CancellationToken.None);
        var counts = summary?.Counts ?? default;
        db.RunCodeCoverage.Add(new RunCodeCoverage
        {
            RunId = runId, Target = target, Note = note, RecordedAt = time.GetUtcNow(),
            LinesCovered = counts.LinesCovered, LinesValid = counts.LinesValid,
            BranchesCovered = counts.BranchesCovered, BranchesValid = counts.BranchesValid,
            Modules = [.. (summary?.Modules ?? []).Select(m => Module(runId, m))],
        });
        db.FileCodeCoverage.AddRange((summary?.Files ?? []).Select(f => FileRow(runId, f)));
        await db.SaveChangesAsync(CancellationToken.None);
        await transaction.CommitAsync(CancellationToken.None);
    }

    private static ModuleCodeCoverage Module(long runId, ModuleSummary m) => new()
    {
        RunId = runId, Name = m.Name, Files = m.Files,
        LinesCovered = m.Counts.LinesCovered, LinesValid = m.Counts.LinesValid,
        BranchesCovered = m.Counts.BranchesCovered, BranchesValid = m.Counts.BranchesValid,
    };

    private static FileCodeCoverage FileRow(long runId, FileSummary f) => new()
    {
        RunId = runId, Module = f.Module, Path = f.Path, UncoveredLines = CodeCoverageSummarizer.Ranges(f.UncoveredLines),
        LinesCovered = f.Counts.LinesCovered, LinesValid = f.Counts.LinesValid,
        BranchesCovered = f.Counts.BranchesCovered, BranchesValid = f.Counts.BranchesValid,
    };

    private void TryDelete(string folder)
    {
        try
        {
            if (Directory.Exists(folder)) Directory.Delete(folder, recursive: true);
        }
        catch (Exception error) when (error is IOException or UnauthorizedAccessException)
        {
            LogLeftOver(error, folder);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Run {RunId}: code coverage is missing: {Note}")]
    private partial void LogMissing(long runId, string note);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not delete the coverage results folder {Folder}")]
    private partial void LogLeftOver(Exception error, string folder);
}
