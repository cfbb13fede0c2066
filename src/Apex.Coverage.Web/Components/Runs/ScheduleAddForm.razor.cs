using System.Globalization;
using Apex.Coverage.Web.Access;
using Apex.Coverage.Web.Audit;
using Apex.Coverage.Web.Plan;
using Apex.Coverage.Web.Runs;
using Apex.Coverage.Web.Suites;
using Microsoft.AspNetCore.Components;

namespace Apex.Coverage.Web.Components.Runs;

/// <summary>What a new schedule runs.</summary>
public enum ScheduleScope
{
    WholeSuite,
    Category,
    Priority,
    PlanItems,
    OnlyFailed,
}

/// <summary>
/// The form that adds a schedule through <see cref="ScheduleBook.AddAsync"/>: the book checks the
/// name, the cron and the time zone (as Hangfire will read them); this form checks what it can say
/// better itself (a missing choice, plan numbers that are not numbers) and shows either error.
/// </summary>
public sealed partial class ScheduleAddForm
{
    private const string CronHelp = "minute hour day month weekday: 0 2 * * * is 02:00 daily, 0 6 * * 1-5 is 06:00 on weekdays";
    private string? _name;
    private string? _cron = "0 2 * * *";
    private string? _timeZone = "UTC";
    private string? _suite;
    private ScheduleScope _scope;
    private string? _category;
    private string? _priority;
    private string? _items;
    private bool _coverage;
    private bool _saving;
    private string? _error;

    [Inject] private DashboardAccess Access { get; set; } = null!;

    [Inject] private AuditTrail Audit { get; set; } = null!;

    [Inject] private ScheduleBook Schedules { get; set; } = null!;

    [Inject] private SuiteCatalog Suites { get; set; } = null!;

    [Inject] private PlanCatalog Plan { get; set; } = null!;

    [Inject] private RunRequests Requests { get; set; } = null!;

    /// <summary>Called with the new schedule's name once it is added.</summary>
    [Parameter] public EventCallback<string> OnAdded { get; set; }

    private IReadOnlyList<PlanCategory> Categories => Plan.Current?.Document.Categories ?? [];

    protected override void OnInitialized() => _suite = Requests.DefaultSuite;

    private async Task AddAsync()
    {
        _saving = true;
        try
        {
            // The page shows this form to admins only; the handler asks again (a circuit's events can be sent by hand).
            var actor = await Access.DemandAdminAsync();
            var name = _name?.Trim() ?? "";
            var definition = Definition();
            await Schedules.AddAsync(name, definition, CancellationToken.None);
            await Audit.RecordAsync(actor, AuditActions.ScheduleChanged, name, $"added: cron {definition.Cron} ({definition.TimeZone ?? "UTC"}), {definition.Selection.Describe()}");
            _error = null;
            _name = null;
            await OnAdded.InvokeAsync(name);
        }
        catch (Exception error) when (error is ScheduleException or AccessDeniedException)
        {
            _error = error.Message;
        }
        finally
        {
            _saving = false;
        }
    }

    private ScheduleDefinition Definition() => new()
    {
        Suite = _suite,
        Cron = _cron ?? "",
        TimeZone = string.IsNullOrWhiteSpace(_timeZone) ? null : _timeZone.Trim(),
        CollectCoverage = _coverage,
        Category = _scope == ScheduleScope.Category ? _category ?? throw new ScheduleException("Choose the category to run.") : null,
        Priority = _scope == ScheduleScope.Priority ? _priority ?? throw new ScheduleException("Choose the priority to run.") : null,
        PlanItems = _scope == ScheduleScope.PlanItems ? ParseItems(_items) : null,
        OnlyFailed = _scope == ScheduleScope.OnlyFailed,
    };

    private static int[] ParseItems(string? text)
    {
        var parts = (text ?? "").Split([',', ' '], StringSplitOptions.RemoveEmptyEntries);
        var numbers = parts.Select(p => int.TryParse(p, NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n > 0 ? n : 0).ToArray();
        return numbers.Length > 0 && numbers.All(n => n > 0)
            ? numbers
            : throw new ScheduleException("Plan items are plan numbers separated by commas, for example 3, 7, 12.");
    }

    private static Task<IEnumerable<string>> SearchZones(string? text, CancellationToken cancellationToken) =>
        Task.FromResult(TimeZoneInfo.GetSystemTimeZones().Select(z => z.Id).Prepend("UTC").Distinct()
            .Where(id => string.IsNullOrWhiteSpace(text) || id.Contains(text, StringComparison.OrdinalIgnoreCase)));

    private static string ScopeText(ScheduleScope scope) => scope switch
    {
        ScheduleScope.WholeSuite => "the whole suite",
        ScheduleScope.Category => "one category",
        ScheduleScope.Priority => "one priority",
        ScheduleScope.PlanItems => "some plan items",
        _ => "only what failed last time",
    };
}
