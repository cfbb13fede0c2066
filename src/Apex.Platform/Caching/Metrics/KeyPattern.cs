namespace Apex.Platform.Caching.Metrics;

/// <summary>
/// The pattern a key belongs to: each ':'-separated segment holding a digit (ids, guids, dates)
/// becomes '*', so "user:42:profile" and "user:7:profile" are measured together.
/// </summary>
public static class KeyPattern
{
    public static string Of(string key) =>
        string.Join(':', key.Split(':').Select(segment => segment.Any(char.IsAsciiDigit) ? "*" : segment));
}
