using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace Apex.Coverage.Web.Ingestion;

/// <summary>
/// What one parsed result file may bring into the store (ADR 0181): names of at most
/// <see cref="MaxNameLength"/> characters (a longer one keeps its start and a marker with its length
/// and hash, so two long names stay two tests), trait names and values likewise, and durations of at
/// most <see cref="MaxDuration"/> (a larger one is clamped and the result says so). Applied once,
/// after parsing, so the TRX and JUnit readers share it.
/// </summary>
internal static class ResultLimits
{
    /// <summary>Under the 1,000 characters the name and key columns hold, with room for a "#n" row suffix.</summary>
    public const int MaxNameLength = 960;

    public static readonly TimeSpan MaxDuration = TimeSpan.FromHours(24);

    public static ParsedResultFile Apply(ParsedResultFile file)
    {
        var namesCut = 0;
        var clamped = 0;
        var results = new List<ParsedResult>(file.Results.Count);
        foreach (var result in file.Results)
        {
            var capped = result with
            {
                FullyQualifiedName = Name(result.FullyQualifiedName),
                DisplayName = Name(result.DisplayName),
                ResultKey = Name(result.ResultKey),
            };
            namesCut += capped.FullyQualifiedName.Length < result.FullyQualifiedName.Length || capped.DisplayName.Length < result.DisplayName.Length ? 1 : 0;
            if (capped.DurationSeconds > MaxDuration.TotalSeconds)
            {
                clamped++;
                capped = capped with
                {
                    DurationSeconds = MaxDuration.TotalSeconds,
                    Output = $"[apex] The file gave a duration of {result.DurationSeconds.ToString("G6", CultureInfo.InvariantCulture)} s; it is stored as {MaxDuration.TotalHours} h, the most a result may take.\n{result.Output}".TrimEnd('\n'),
                };
            }

            results.Add(capped);
        }

        return new ParsedResultFile(file.Format, results, Traits(file.Traits)) { NamesCut = namesCut, DurationsClamped = clamped };
    }

    /// <summary>The name as given when short enough; else its start and "…[+N chars, sha256 abcdef012345]".</summary>
    public static string Name(string name)
    {
        if (name.Length <= MaxNameLength)
        {
            return name;
        }

        var hash = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(name)))[..12];
        var marker = $"…[+{name.Length} chars, sha256 {hash}]";
        return string.Concat(name.AsSpan(0, MaxNameLength - marker.Length), marker);
    }

    /// <summary>A sentence for the run's message when limits were applied, else empty.</summary>
    public static string Describe(ParsedResultFile file) =>
        (file.NamesCut > 0 ? $" {file.NamesCut} test name(s) longer than {MaxNameLength} characters were cut (marked '…[+N chars, sha256 …]')." : "")
        + (file.DurationsClamped > 0 ? $" {file.DurationsClamped} duration(s) above {MaxDuration.TotalHours} h were clamped to {MaxDuration.TotalHours} h." : "");

    private static Dictionary<string, IReadOnlyDictionary<string, IReadOnlyList<string>>> Traits(
        IReadOnlyDictionary<string, IReadOnlyDictionary<string, IReadOnlyList<string>>> traits)
    {
        var capped = new Dictionary<string, IReadOnlyDictionary<string, IReadOnlyList<string>>>(StringComparer.Ordinal);
        foreach (var (test, byName) in traits)
        {
            capped[Name(test)] = byName.GroupBy(t => Name(t.Key), StringComparer.Ordinal).ToDictionary(
                g => g.Key, g => (IReadOnlyList<string>)[.. g.SelectMany(t => t.Value).Select(Name).Distinct(StringComparer.Ordinal)], StringComparer.Ordinal);
        }

        return capped;
    }
}
