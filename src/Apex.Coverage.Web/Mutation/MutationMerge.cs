namespace Apex.Coverage.Web.Mutation;

/// <summary>An item's figures after a run: per file, and the mutants its tests let live.</summary>
public sealed record MergedMutation(IReadOnlyList<MutationFileResult> Files, IReadOnlyList<MutationSurvivor> Survivors);

/// <summary>
/// Folds a report into the item's figures, a pure function. A file the report tested replaces the
/// file's earlier figures; a file the report did not test (an incremental --since run marks its
/// mutants Ignored, so it has no valid mutant) keeps the earlier run's figures and survivors,
/// flagged as carried over. A full run simply is the report.
/// </summary>
public static class MutationMerge
{
    public static MergedMutation Merge(MutationReport report, MutationRun? previous)
    {
        var tested = report.Files.Where(f => f.Counts.Valid > 0).Select(f => f.Path).ToHashSet(StringComparer.Ordinal);
        var files = report.Files.Where(f => tested.Contains(f.Path)).Select(f => File(f.Path, f.Counts, carried: false)).ToList();
        var survivors = report.Mutants.Where(m => m.Status is "Survived" or "NoCoverage").Select(Survivor).ToList();
        foreach (var old in previous?.Files.Where(f => !tested.Contains(f.Path)) ?? [])
        {
            files.Add(File(old.Path, old.Counts, carried: true));
            survivors.AddRange(previous!.Survivors.Where(s => s.Path == old.Path).Select(s => Copy(s)));
        }

        return new MergedMutation([.. files.OrderBy(f => f.Path, StringComparer.Ordinal)], [.. survivors.OrderBy(s => s.Path, StringComparer.Ordinal).ThenBy(s => s.Line)]);
    }

    public static void Apply(MutationRun run, MergedMutation merged)
    {
        run.Files = [.. merged.Files];
        run.Survivors = [.. merged.Survivors];
        var totals = merged.Files.Aggregate(default(MutationCounts), (sum, f) => sum + f.Counts);
        (run.Killed, run.Survived, run.NoCoverage, run.Timeout) = (totals.Killed, totals.Survived, totals.NoCoverage, totals.Timeout);
    }

    private static MutationFileResult File(string path, MutationCounts counts, bool carried) => new()
    {
        Path = path, Killed = counts.Killed, Survived = counts.Survived, NoCoverage = counts.NoCoverage, Timeout = counts.Timeout, CarriedOver = carried,
    };

    private static MutationSurvivor Survivor(ReportedMutant m) => new()
    {
        Path = m.Path, Line = m.Line, Column = m.Column, Mutator = m.Mutator, Replacement = Clip(m.Replacement), Status = m.Status,
    };

    private static MutationSurvivor Copy(MutationSurvivor s) => new()
    {
        Path = s.Path, Line = s.Line, Column = s.Column, Mutator = s.Mutator, Replacement = s.Replacement, Status = s.Status,
    };

    private static string Clip(string text) => text.Length <= 2000 ? text : text[..2000];
}
