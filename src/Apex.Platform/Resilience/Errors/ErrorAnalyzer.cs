namespace Apex.Platform.Resilience.Errors;

/// <summary>
/// The analyzer: what the groups say, as a pure function of them and the time — the loudest cause,
/// the causes seen in more than one service (a shared dependency, not one service's bug), and the
/// causes still active within the window.
/// </summary>
public static class ErrorAnalyzer
{
    public static ErrorAnalysis Analyze(IReadOnlyList<ErrorGroup> groups, DateTimeOffset now, TimeSpan activeWindow) => new(
        groups.Count,
        groups.Sum(g => g.Occurrences),
        groups.OrderByDescending(g => g.Occurrences).FirstOrDefault()?.Fingerprint,
        [.. groups.Where(g => g.Services.Count > 1).Select(g => g.Fingerprint)],
        [.. groups.Where(g => now - g.LastSeen <= activeWindow).Select(g => g.Fingerprint)]);
}

public sealed record ErrorAnalysis(int Groups, long Occurrences, string? TopFingerprint,
    IReadOnlyList<string> CrossService, IReadOnlyList<string> Active);
