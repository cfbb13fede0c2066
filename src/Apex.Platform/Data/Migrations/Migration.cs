using System.Security.Cryptography;
using System.Text;

namespace Apex.Platform.Data.Migrations;

/// <summary>
/// One schema change: applied in <see cref="Version"/> order, its <see cref="Up"/> text
/// checksummed so that an applied migration edited afterwards is noticed, and an optional
/// <see cref="Down"/> script that undoes it.
/// </summary>
public sealed record Migration(int Version, string Name, string Up, string? Down = null)
{
    /// <summary>SHA-256 of the up script with line endings normalised (a checkout on Windows is not a change).</summary>
    public string Checksum => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(Up.ReplaceLineEndings("\n"))));

    /// <summary>Reads <c>0001_name.up.sql</c> / <c>0001_name.down.sql</c> pairs from a folder.</summary>
    public static IReadOnlyList<Migration> FromDirectory(string directory) =>
        [.. Directory.EnumerateFiles(directory, "*.up.sql")
            .Select(up =>
            {
                var stem = Path.GetFileName(up)[..^".up.sql".Length];
                var separator = stem.IndexOf('_', StringComparison.Ordinal);
                var version = int.Parse(separator > 0 ? stem[..separator] : stem, System.Globalization.CultureInfo.InvariantCulture);
                var down = Path.Combine(directory, stem + ".down.sql");
                return new Migration(version, separator > 0 ? stem[(separator + 1)..] : stem, File.ReadAllText(up),
                    File.Exists(down) ? File.ReadAllText(down) : null);
            })
            .OrderBy(m => m.Version)];
}

/// <summary>What one run of the runner did.</summary>
public sealed record MigrationReport(IReadOnlyList<int> Applied, IReadOnlyList<int> AlreadyApplied, TimeSpan WaitedForLock);

/// <summary>A migration that cannot be applied or rolled back; the message names it and says why.</summary>
public sealed class MigrationException(string message, Exception? inner = null) : Exception(message, inner);
