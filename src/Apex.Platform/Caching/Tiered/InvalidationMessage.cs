using System.Text.Json;
using System.Text.RegularExpressions;

namespace Apex.Platform.Caching.Tiered;

/// <summary>What one instance tells the others to drop from memory: keys, a tag, or a key pattern.</summary>
public sealed record InvalidationMessage(InvalidationKind Kind, string[] Values, Guid Origin)
{
    public string ToJson() => JsonSerializer.Serialize(this);

    /// <summary>Null for a message that is not ours (another version, garbage on the channel): ignored, never fatal.</summary>
    public static InvalidationMessage? TryParse(string? json)
    {
        try
        {
            return json is null ? null : JsonSerializer.Deserialize<InvalidationMessage>(json);
        }
        catch (JsonException)
        {
            return null;
        }
    }
}

public enum InvalidationKind
{
    Keys,
    Tag,
    Pattern,
}

/// <summary>Redis glob patterns (*, ?, [abc]) matched in memory, for keys held in an instance's L1.</summary>
public static class GlobPattern
{
    public static Regex ToRegex(string glob) =>
        new("^" + Regex.Escape(glob).Replace(@"\*", ".*", StringComparison.Ordinal).Replace(@"\?", ".", StringComparison.Ordinal)
            .Replace(@"\[", "[", StringComparison.Ordinal) + "$", RegexOptions.CultureInvariant, TimeSpan.FromSeconds(1));
}
