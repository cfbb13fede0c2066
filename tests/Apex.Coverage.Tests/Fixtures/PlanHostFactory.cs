using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;

namespace Apex.Coverage.Tests.Fixtures;

/// <summary>
/// The real dashboard host with its database and plan file in a temp folder of its own. The plan
/// starts as a copy of <see cref="PlanFixtures.RealPlan"/> unless <paramref name="planFixture"/>
/// names another fixture (or null for no file at all).
/// </summary>
public sealed class PlanHostFactory(string? planFixture = PlanFixtures.RealPlan, bool watch = false, int debounceMilliseconds = 50)
    : WebApplicationFactory<Program>
{
    public string Folder { get; } = TempFolder.Create("apex-host");

    public string PlanPath => Path.Combine(Folder, "plan", "plan.md");

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(PlanPath)!);
        if (planFixture is not null)
        {
            File.Copy(PlanFixtures.PathOf(planFixture), PlanPath, overwrite: true);
        }

        builder.UseSetting("Data:ConnectionString", $"Data Source={Path.Combine(Folder, "data", "coverage.db")};Pooling=False");
        builder.UseSetting("Plan:Path", PlanPath);
        builder.UseSetting("Plan:Watch", watch ? "true" : "false");
        builder.UseSetting("Plan:DebounceMilliseconds", $"{debounceMilliseconds}");
    }

    public override async ValueTask DisposeAsync()
    {
        await base.DisposeAsync();
        TempFolder.Delete(Folder);
    }
}
