using System.Text.RegularExpressions;
using AngleSharp.Dom;
using Apex.Coverage.Web.Analytics;
using Apex.Coverage.Web.ApiTokens;
using Apex.Coverage.Web.Audit;
using Apex.Coverage.Web.Results;
using Apex.Coverage.Web.Runs;
using Apex.Coverage.Web.Selection;
using Bunit;
using Microsoft.AspNetCore.Components;

namespace Apex.Coverage.Tests.Fixtures;

/// <summary>
/// Issue 14 point 5, as a check any page test can make: what a page shows is in the words a manager
/// uses. No setting's key ("Analytics:Window"), no code the API or the database keeps ("not-run",
/// "run.started", "results:write", "mrr-at-risk"), no chip that shows a status's raw lower-case
/// name ("queued", "passing"), and no date written as the API writes it ("2026-11-26"). Text inside
/// &lt;code&gt; is for engineers and may hold codes; data- attributes and titles are not shown text.
/// </summary>
public static partial class PlainWords
{
    [GeneratedRegex(@"\b[A-Z][A-Za-z]+:[A-Z][A-Za-z]+\b")]
    private static partial Regex SettingKey();

    // A date as the API writes it (2026-11-26): pages write "26 Nov 2026, 09:07 UTC" (ADR 0290).
    [GeneratedRegex(@"\b\d{4}-\d{2}-\d{2}\b")]
    private static partial Regex IsoDate();

    /// <summary>Codes that are no English word: a page writes them in words.</summary>
    public static IReadOnlyList<string> Codes { get; } =
    [
        StatusNames.Of(ItemStatus.NotImplemented), StatusNames.Of(ItemStatus.NotRun), Web.Mutation.MutationRunStatus.OverBudget, "NoCoverage",
        SelectionReplay.Risk, .. ApiTokenScopes.Known,
        .. typeof(AuditActions).GetFields().Select(f => (string)f.GetValue(null)!).Where(a => a.Contains('.', StringComparison.Ordinal)),
    ];

    /// <summary>Status names as the API spells them; a chip showing one of these shows the code, not words.</summary>
    public static IReadOnlySet<string> StatusCodes { get; } = new HashSet<string>(
        Enum.GetValues<RunStatus>().Select(s => RunJson.Lower(s))
            .Concat(Enum.GetValues<TestOutcome>().Select(o => RunJson.Lower(o)))
            .Concat(Enum.GetValues<ItemStatus>().Select(StatusNames.Of))
            .Append("canceling"),
        StringComparer.Ordinal);

    /// <summary>The page's shown text outside &lt;code&gt;, one text node a line.</summary>
    public static string ShownText<T>(IRenderedComponent<T> page) where T : IComponent =>
        string.Join('\n', page.Nodes.SelectMany(n => n.GetDescendantsAndSelf()).OfType<IText>()
            .Where(t => t.ParentElement?.Closest("code") is null)
            .Select(t => t.Data.Trim()).Where(t => t.Length > 0));

    public static void AssertPlain<T>(IRenderedComponent<T> page) where T : IComponent
    {
        var text = ShownText(page);
        Assert.False(SettingKey().IsMatch(text), $"The page shows a setting's key: {SettingKey().Match(text).Value}");
        Assert.False(IsoDate().IsMatch(text), $"The page writes a date as the API does: {IsoDate().Match(text).Value}");
        foreach (var code in Codes)
        {
            Assert.False(text.Contains(code, StringComparison.Ordinal), $"The page shows the code \"{code}\".");
        }

        foreach (var chip in page.FindAll(".mud-chip"))
        {
            var shown = chip.TextContent.Trim();
            Assert.False(StatusCodes.Contains(shown), $"A chip shows the status name \"{shown}\" as the code spells it.");
            Assert.True(shown.Length == 0 || !char.IsLower(shown[0]), $"A chip starts in lower case: \"{shown}\".");
        }
    }
}
