using System.Globalization;

namespace Apex.Coverage.Web.Components;

/// <summary>
/// How every page writes a moment and a length of time (ADR 0290): a moment in UTC and saying so
/// ("26 Nov 2026, 09:07 UTC"), the same for every reader whatever the server's or the browser's
/// zone and culture; a duration in the one or two units that matter ("850 ms", "1.2 s",
/// "3 min 4 s", "1 h 5 min"). The API keeps ISO 8601; these words are for pages only.
/// </summary>
public static class TimeWords
{
    private const string None = "—";

    /// <summary>"26 Nov 2026, 09:07 UTC": the moment turned to UTC first, whatever offset it was stored with.</summary>
    public static string Moment(DateTimeOffset at) =>
        at.UtcDateTime.ToString("d MMM yyyy, HH:mm 'UTC'", CultureInfo.InvariantCulture);

    /// <summary>The moment, or <paramref name="none"/> ("Never", "—") when there is none.</summary>
    public static string Moment(DateTimeOffset? at, string none = None) => at is { } moment ? Moment(moment) : none;

    /// <summary>A label under a chart's axis, where room is short and the page says UTC once: "26 Nov 09:07".</summary>
    public static string Tick(DateTimeOffset at) =>
        at.UtcDateTime.ToString("d MMM HH:mm", CultureInfo.InvariantCulture);

    /// <summary>"850 ms", "1.2 s", "3 min 4 s", "5 min", "1 h 5 min"; "—" when unknown.</summary>
    public static string Duration(double? seconds)
    {
        if (seconds is not { } s || double.IsNaN(s))
        {
            return None;
        }

        s = Math.Max(0, s);
        if (s < 0.9995)
        {
            return string.Create(CultureInfo.InvariantCulture, $"{s * 1000:0} ms");
        }

        if (s < 59.95)
        {
            return string.Create(CultureInfo.InvariantCulture, $"{s:0.0} s");
        }

        var wholeSeconds = (long)Math.Round(s, MidpointRounding.AwayFromZero);
        if (wholeSeconds < 3600)
        {
            return Pair(wholeSeconds / 60, "min", wholeSeconds % 60, "s");
        }

        var wholeMinutes = (long)Math.Round(s / 60, MidpointRounding.AwayFromZero);
        return Pair(wholeMinutes / 60, "h", wholeMinutes % 60, "min");
    }

    /// <summary>The same words for a span (a run's wall time, an estimate, a budget).</summary>
    public static string Duration(TimeSpan? span) => Duration(span?.TotalSeconds);

    private static string Pair(long large, string largeUnit, long small, string smallUnit) => small == 0
        ? string.Create(CultureInfo.InvariantCulture, $"{large} {largeUnit}")
        : string.Create(CultureInfo.InvariantCulture, $"{large} {largeUnit} {small} {smallUnit}");
}
