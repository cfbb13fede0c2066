using Apex.Coverage.Tests.Runs;
using Apex.Coverage.Web.Hosting;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;

namespace Apex.Coverage.Tests.Fixtures;

/// <summary>
/// What the dashboard's start-up answers a bad configuration with: the real builder and StartAsync, with the settings a
/// test host gets (its own database, the real plan) plus the test's. Not through WebApplicationFactory: when the app's
/// start fails, its deferred host can be disposed before the factory reads it, and the test sees an
/// ObjectDisposedException instead of the validation error (seen under load in OidcOptionsTests).
/// </summary>
public static class StartupFailure
{
    public static async Task<Exception> OfAsync(Action<IWebHostBuilder> configure)
    {
        var folder = TempFolder.Create("apex-startup");
        try
        {
            var builder = WebApplication.CreateBuilder(new WebApplicationOptions
            {
                EnvironmentName = "Development",
                ContentRootPath = Path.Combine(FixtureSuiteBuild.RepoRoot, "src", "Apex.Coverage.Web"),
                ApplicationName = typeof(Program).Assembly.GetName().Name,
            });
            builder.WebHost.UseSetting("Data:ConnectionString", $"Data Source={Path.Combine(folder, "coverage.db")};Pooling=False");
            builder.WebHost.UseSetting("Plan:Path", PlanFixtures.PathOf(PlanFixtures.RealPlan));
            builder.WebHost.UseSetting("Plan:Watch", "false");
            builder.WebHost.UseUrls("http://127.0.0.1:0");
            configure(builder.WebHost);
            builder.AddCoverageDashboard();
            await using var app = builder.Build();
            app.MapCoverageDashboard();
            var error = await Record.ExceptionAsync(() => app.StartAsync(TestContext.Current.CancellationToken));
            if (error is null) await app.StopAsync(TestContext.Current.CancellationToken);
            return error ?? throw new Xunit.Sdk.XunitException("The dashboard started with this configuration.");
        }
        finally
        {
            TempFolder.Delete(folder);
        }
    }
}
