using Apex.Coverage.Web.Runs;
using Apex.Coverage.Web.Suites;
using Microsoft.EntityFrameworkCore;

namespace Apex.Coverage.Web.Data;

public sealed partial class CoverageDbContext
{
    public DbSet<TestRun> TestRuns => Set<TestRun>();

    public DbSet<TestResult> TestResults => Set<TestResult>();

    public DbSet<DiscoveredTest> DiscoveredTests => Set<DiscoveredTest>();
}
