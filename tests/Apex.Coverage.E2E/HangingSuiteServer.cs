using Apex.Coverage.Tests.Runs;
using Microsoft.AspNetCore.Hosting;

namespace Apex.Coverage.E2E;

/// <summary>
/// The dashboard with one more suite, <see cref="Hanging"/>: the fixture suite whose test "Hangs"
/// sleeps through any cancel (APEX_FIXTURE_HANG), so only aborting its test host ends a run of it.
/// Its processes carry <see cref="ProcessTable.OwnerVariable"/> with this test process's id, so the
/// check that they are gone sees this process's fixtures only, never another checkout's.
/// </summary>
public sealed class HangingSuiteServer : DashboardServer
{
    public const string Hanging = "FixtureHang";

    /// <summary>Long enough that the page is seen canceling, short enough that the run ends soon after.</summary>
    public static readonly TimeSpan Grace = TimeSpan.FromSeconds(3);

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        base.ConfigureWebHost(builder);
        builder.UseSetting("Analytics:DiscoverOnStart", "false");
        builder.UseSetting("Runs:CancelGracePeriod", Grace.ToString());
        builder.UseSetting($"Suites:{Hanging}:Assembly", FixtureAssembly);
        builder.UseSetting($"Suites:{Hanging}:BuildBeforeRun", "false");
        builder.UseSetting($"Suites:{Hanging}:Environment:APEX_FIXTURE_HANG", "1");
        builder.UseSetting($"Suites:{Hanging}:Environment:{ProcessTable.OwnerVariable}", ProcessTable.Owner);
    }
}
