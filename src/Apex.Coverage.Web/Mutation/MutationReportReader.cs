using System.Text.Json;

namespace Apex.Coverage.Web.Mutation;

/// <summary>A mutant as the report states it; paths relative to the repo root with '/' separators.</summary>
public sealed record ReportedMutant(string Path, int Line, int Column, string Mutator, string Replacement, string Status);

/// <summary>One file of a report with its counts (a file with no valid mutant is still listed).</summary>
public sealed record ReportedFile(string Path, MutationCounts Counts);

public sealed record MutationReport(IReadOnlyList<ReportedFile> Files, IReadOnlyList<ReportedMutant> Mutants)
{
    public MutationCounts Totals => Files.Aggregate(default(MutationCounts), (sum, f) => sum + f.Counts);
}

/// <summary>
/// Reads Stryker's standard mutation-report.json (mutation-testing-elements schema): files keyed by
/// path, each with its mutants' status, mutator, replacement and start location. Statuses other
/// than Killed, Survived, NoCoverage and Timeout (CompileError, RuntimeError, Ignored, Pending) are
/// not valid mutants and are left out.
/// </summary>
public static class MutationReportReader
{
    public static async Task<MutationReport> ReadAsync(string path, string repoRoot, CancellationToken cancellationToken)
    {
        await using var stream = File.OpenRead(path);
        using var document = await JsonDocument.ParseAsync(stream, cancellationToken: cancellationToken);
        return Read(document.RootElement, repoRoot);
    }

    public static MutationReport Read(JsonElement root, string repoRoot)
    {
        var files = new List<ReportedFile>();
        var mutants = new List<ReportedMutant>();
        if (!root.TryGetProperty("files", out var reported) || reported.ValueKind != JsonValueKind.Object)
        {
            throw new InvalidDataException("The mutation report has no \"files\" object.");
        }

        foreach (var file in reported.EnumerateObject())
        {
            var path = Relative(repoRoot, file.Name);
            var fileMutants = file.Value.TryGetProperty("mutants", out var list) ? list.EnumerateArray().Select(m => Mutant(path, m)).OfType<ReportedMutant>().ToList() : [];
            mutants.AddRange(fileMutants);
            files.Add(new ReportedFile(path, Count(fileMutants)));
        }

        return new MutationReport([.. files.OrderBy(f => f.Path, StringComparer.Ordinal)], mutants);
    }

    public static MutationCounts Count(IEnumerable<ReportedMutant> mutants)
    {
        var byStatus = mutants.GroupBy(m => m.Status).ToDictionary(g => g.Key, g => g.Count(), StringComparer.Ordinal);
        return new MutationCounts(byStatus.GetValueOrDefault("Killed"), byStatus.GetValueOrDefault("Survived"),
            byStatus.GetValueOrDefault("NoCoverage"), byStatus.GetValueOrDefault("Timeout"));
    }

    private static ReportedMutant? Mutant(string path, JsonElement mutant)
    {
        var status = mutant.GetProperty("status").GetString() ?? "";
        if (status is not ("Killed" or "Survived" or "NoCoverage" or "Timeout"))
        {
            return null;
        }

        var start = mutant.GetProperty("location").GetProperty("start");
        return new ReportedMutant(path, start.GetProperty("line").GetInt32(), start.GetProperty("column").GetInt32(),
            mutant.TryGetProperty("mutatorName", out var name) ? name.GetString() ?? "" : "",
            mutant.TryGetProperty("replacement", out var replacement) ? replacement.GetString() ?? "" : "", status);
    }

    private static string Relative(string repoRoot, string path)
    {
        var full = Path.IsPathRooted(path) ? path : Path.GetFullPath(path, repoRoot);
        var relative = Path.GetRelativePath(repoRoot, full);
        return (relative.StartsWith("..", StringComparison.Ordinal) ? full : relative).Replace('\\', '/');
    }
}
