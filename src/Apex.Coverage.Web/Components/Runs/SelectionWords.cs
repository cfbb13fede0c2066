using Apex.Coverage.Web.Plan;
using Apex.Coverage.Web.Results;
using Apex.Coverage.Web.Runs;

namespace Apex.Coverage.Web.Components.Runs;

/// <summary>
/// What a run or schedule selected, in the words a page shows: the category's name rather than its
/// slug ("category Authentication &amp; Authorization"). The API keeps the slugs (RunJson).
/// </summary>
public static class SelectionWords
{
    public static string Of(RunSelection selection, PlanCatalog plan)
    {
        var name = selection.Category is { } slug
            ? plan.Current?.Document.Categories.FirstOrDefault(c => c.Slug == slug)?.Name ?? slug
            : null;
        return (selection with { Category = name }).Describe();
    }

    public static string Of(TestRun run, PlanCatalog plan) =>
        run.Source == RunSource.Ci ? "CI upload" : Of(StoredSelectionOrWhole(run.SelectionJson), plan);

    private static RunSelection StoredSelectionOrWhole(string? json)
    {
        try
        {
            return StoredSelection.FromJson(json)?.Asked ?? RunSelection.WholeSuite;
        }
        catch (System.Text.Json.JsonException)
        {
            return RunSelection.WholeSuite;
        }
    }
}
