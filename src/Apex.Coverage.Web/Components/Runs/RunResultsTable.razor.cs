using Apex.Coverage.Web.Results;
using Apex.Coverage.Web.Runs;
using Microsoft.AspNetCore.Components;
using MudBlazor;

namespace Apex.Coverage.Web.Components.Runs;

/// <summary>
/// A run's results, failures first, filtered by outcome and text and shown a page at a time: a
/// 3,800-result run renders 50 rows, not 2 MB of HTML. The outcome and duration columns have fixed
/// widths and the name wraps, so a long name never pushes them out of view.
/// </summary>
public sealed partial class RunResultsTable
{
    public const int PageSize = 50;

    private static readonly OutcomeFilter[] Filters = [OutcomeFilter.All, OutcomeFilter.Failed, OutcomeFilter.Passed, OutcomeFilter.Skipped];

    private static readonly Dictionary<string, object> SearchAttributes = new()
    {
        ["aria-label"] = "Find a test or an error",
        ["data-testid"] = "run-filter-text",
    };

    private readonly HashSet<string> _expanded = new(StringComparer.Ordinal);
    private OutcomeFilter _outcome = OutcomeFilter.All;
    private string? _text;
    private int _page = 1;

    [Parameter, EditorRequired] public IReadOnlyList<TestResult> Results { get; set; } = [];

    /// <summary>True once the run has ended: an empty table then says the run recorded nothing.</summary>
    [Parameter] public bool Finished { get; set; }

    private IReadOnlyList<TestResult> Shown { get; set; } = [];

    private int Pages => Math.Max(1, (Shown.Count + PageSize - 1) / PageSize);

    private IEnumerable<TestResult> PageOfResults => Shown.Skip((Math.Min(_page, Pages) - 1) * PageSize).Take(PageSize);

    private string RangeText
    {
        get
        {
            var first = ((Math.Min(_page, Pages) - 1) * PageSize) + 1;
            return $"{first:N0}–{Math.Min(first + PageSize - 1, Shown.Count):N0} of {Shown.Count:N0}";
        }
    }

    private string EmptyText => Results.Count > 0 ? "No result matches this filter."
        : Finished ? "This run recorded no results." : "No results yet.";

    protected override void OnParametersSet() => Shown = RunResultView.Select(Results, _outcome, _text);

    private void ChooseOutcome(OutcomeFilter outcome)
    {
        (_outcome, _page) = (outcome, 1);
        OnParametersSet();
    }

    private void ChooseText(string? text)
    {
        (_text, _page) = (text, 1);
        OnParametersSet();
    }

    private void ChoosePage(int page) => _page = page;

    private void Toggle(string key)
    {
        if (!_expanded.Remove(key))
        {
            _expanded.Add(key);
        }
    }

    private static bool HasDetails(TestResult result) =>
        result.ErrorMessage is { Length: > 0 } || result.StackTrace is { Length: > 0 } || result.Output is { Length: > 0 };

    private static string FirstLine(string text) => text.Split('\n', 2)[0].TrimEnd();

    private static string FilterText(OutcomeFilter filter) => filter switch
    {
        OutcomeFilter.All => "All",
        OutcomeFilter.Failed => "Failed",
        OutcomeFilter.Passed => "Passed",
        _ => "Skipped",
    };

    private static Color FilterColor(OutcomeFilter filter) => filter switch
    {
        OutcomeFilter.Failed => Color.Error,
        OutcomeFilter.Passed => Color.Success,
        _ => Color.Default,
    };
}
