namespace Apex.Coverage.Web.Plan;

/// <summary>The marks a plan uses for declared status: ✅ implemented, 📋 planned.</summary>
internal static class StatusMarks
{
    private static readonly string[] ImplementedMarks = ["✅", "✔", "☑"];
    private static readonly string[] PlannedMarks = ["📋", "🔲", "⬜"];

    public static DeclaredStatus FromText(string text) =>
        ImplementedMarks.Any(m => text.Contains(m, StringComparison.Ordinal))
        || (text.Contains("implemented", StringComparison.OrdinalIgnoreCase)
            && !text.Contains("not implemented", StringComparison.OrdinalIgnoreCase))
            ? DeclaredStatus.Implemented
            : DeclaredStatus.Planned;

    /// <summary>Splits a leading status mark off an item heading's text.</summary>
    public static (DeclaredStatus? Status, string Name) SplitLeadingMark(string text)
    {
        foreach (var mark in ImplementedMarks)
        {
            if (text.StartsWith(mark, StringComparison.Ordinal))
            {
                return (DeclaredStatus.Implemented, text[mark.Length..].TrimStart('\uFE0F').Trim());
            }
        }

        foreach (var mark in PlannedMarks)
        {
            if (text.StartsWith(mark, StringComparison.Ordinal))
            {
                return (DeclaredStatus.Planned, text[mark.Length..].TrimStart('\uFE0F').Trim());
            }
        }

        return (null, text);
    }
}
