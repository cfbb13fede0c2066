using Apex.Coverage.Web.Access;
using Apex.Coverage.Web.Alerts;
using Apex.Coverage.Web.Analytics;
using Apex.Coverage.Web.Audit;
using Apex.Coverage.Web.CiReports;
using Apex.Coverage.Web.CodeCoverage;
using Apex.Coverage.Web.Components;
using Apex.Coverage.Web.Ingestion;
using Apex.Coverage.Web.Mutation;
using Apex.Coverage.Web.Plan;
using Apex.Coverage.Web.Runs;
using Apex.Coverage.Web.Selection;
using Apex.Coverage.Web.Source;
using Apex.Coverage.Web.Standards;
using MudBlazor.Services;

namespace Apex.Coverage.Web.Hosting;

/// <summary>Composes the dashboard: each feature contributes its own AddXxx / MapXxx.</summary>
public static class DashboardHostingExtensions
{
    public static WebApplicationBuilder AddCoverageDashboard(this WebApplicationBuilder builder)
    {
        // The built dll is started from the repo root as well as through `dotnet run`; load the
        // static web assets manifest either way so MudBlazor's CSS and JS are served.
        builder.WebHost.UseStaticWebAssets();
        builder.Services.AddRazorComponents().AddInteractiveServerComponents();
        builder.Services.AddMudServices();
        builder.Services.AddProblemDetails();
        builder.AddEdgeHardening();
        builder.AddApiDocumentation();
        builder.AddAudit();
        builder.AddAccess();
        builder.AddPlan();
        builder.AddIngestion();
        builder.AddRuns();
        builder.AddAnalytics();
        builder.AddCodeCoverage();
        builder.AddSelection();
        builder.AddCiReports();
        builder.AddAlerts();
        builder.AddStandards();
        builder.AddMutation();
        builder.AddSource();
        builder.AddDashboardHealth();
        return builder;
    }

    public static WebApplication MapCoverageDashboard(this WebApplication app)
    {
        app.UseEdgeHardening();
        if (!app.Environment.IsDevelopment())
        {
            // Pages get the error page; the API answers problem details (UseApiProblems).
            app.UseWhen(c => !EdgeHardening.IsApi(c), page => page.UseExceptionHandler("/error", createScopeForErrors: true));
        }

        app.UseApiProblems();
        app.UseNotFoundPage();

        app.UseAuthentication();
        app.UseAuthorization();
        app.UseAntiforgery();
        app.MapStaticAssets();
        app.MapRazorComponents<App>().AddInteractiveServerRenderMode();
        app.MapApiDocumentation();
        app.MapAccess();
        app.MapAudit();
        app.MapPlanApi();
        app.MapIngestion();
        app.MapRuns();
        app.MapAnalytics();
        app.MapCodeCoverage();
        app.MapSelection();
        app.MapCiReports();
        app.MapAlerts();
        app.MapMutation();
        app.MapDashboardHealth();
        return app;
    }
}
