using Apex.Coverage.Web.Data;
using Apex.Coverage.Web.Results;

namespace Apex.Coverage.Web.Analytics;

/// <summary>
/// The runs that selected every test of their suite and ended with results: the only ones whose
/// wall time is "the suite's duration" and whose pass rate belongs on the same trend. A run the
/// dashboard executed asks for the whole suite when its resolved filter is empty (a category, a
/// priority, an item or only-failed all become a filter). A CI upload is a file of some tests
/// with no wall time of its own here (a 3-test upload took "0 ms"), so uploads never count (ADR 0190).
/// </summary>
public static class WholeSuiteRuns
{
    public static IQueryable<TestRun> Of(CoverageDbContext db) =>
        db.TestRuns.Where(r => r.Source != RunSource.Ci && r.TestCaseFilter == null
            && (r.Status == RunStatus.Passed || r.Status == RunStatus.Failed)
            && r.Total > 0 && r.StartedAt != null && r.FinishedAt != null);
}
