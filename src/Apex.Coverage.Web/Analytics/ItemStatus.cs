namespace Apex.Coverage.Web.Analytics;

/// <summary>A plan item's status by the shared definitions (ARCHITECTURE.md).</summary>
public enum ItemStatus
{
    NotImplemented,
    NotRun,
    Passing,
    Flaky,
    Failing,
    Quarantined,
}

public static class StatusNames
{
    public static string Of(ItemStatus status) => status switch
    {
        ItemStatus.NotImplemented => "not-implemented",
        ItemStatus.NotRun => "not-run",
        ItemStatus.Passing => "passing",
        ItemStatus.Flaky => "flaky",
        ItemStatus.Failing => "failing",
        _ => "quarantined",
    };

    public static string Of(TestStatus status) => status switch
    {
        TestStatus.NotRun => "not-run",
        TestStatus.Passing => "passing",
        TestStatus.Flaky => "flaky",
        TestStatus.Failing => "failing",
        _ => "quarantined",
    };

    /// <summary>The words a page shows for an item's status (the API and data-status keep <see cref="Of(ItemStatus)"/>).</summary>
    public static string Words(ItemStatus status) => status switch
    {
        ItemStatus.NotImplemented => "No test",
        ItemStatus.NotRun => "Not run",
        ItemStatus.Passing => "Passing",
        ItemStatus.Flaky => "Flaky",
        ItemStatus.Failing => "Failing",
        _ => "Quarantined",
    };

    /// <summary>The words a page shows for a test's status.</summary>
    public static string Words(TestStatus status) => status switch
    {
        TestStatus.NotRun => "Not run",
        TestStatus.Passing => "Passing",
        TestStatus.Flaky => "Flaky",
        TestStatus.Failing => "Failing",
        _ => "Quarantined",
    };
}

/// <summary>
/// An item's status from its tests' statuses: no test is not-implemented; quarantined tests leave
/// the rollup (all quarantined is quarantined); otherwise failing, then flaky, then not-run, then
/// passing.
/// </summary>
public static class ItemRollup
{
    public static ItemStatus Of(IEnumerable<TestStatus> tests)
    {
        var statuses = tests.ToList();
        if (statuses.Count == 0)
        {
            return ItemStatus.NotImplemented;
        }

        var counted = statuses.Where(s => s != TestStatus.Quarantined).ToList();
        if (counted.Count == 0)
        {
            return ItemStatus.Quarantined;
        }

        return counted.Contains(TestStatus.Failing) ? ItemStatus.Failing
            : counted.Contains(TestStatus.Flaky) ? ItemStatus.Flaky
            : counted.Contains(TestStatus.NotRun) ? ItemStatus.NotRun
            : ItemStatus.Passing;
    }
}
