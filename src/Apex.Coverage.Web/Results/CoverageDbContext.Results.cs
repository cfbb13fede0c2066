using Apex.Coverage.Web.Results;
using Microsoft.EntityFrameworkCore;

namespace Apex.Coverage.Web.Data;

public partial class CoverageDbContext
{
    public DbSet<TestRun> TestRuns => Set<TestRun>();

    public DbSet<TestResult> TestResults => Set<TestResult>();

    public DbSet<DiscoveredTest> DiscoveredTests => Set<DiscoveredTest>();

    // A result added through its run's Results takes the run's suite (see TestResult.SuiteName).
    partial void OnSaving()
    {
        foreach (var run in ChangeTracker.Entries<TestRun>().Select(e => e.Entity))
        {
            foreach (var result in run.Results.Where(r => r.SuiteName.Length == 0))
            {
                result.SuiteName = run.SuiteName;
            }
        }
    }
}
