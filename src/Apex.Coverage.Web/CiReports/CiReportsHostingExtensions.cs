using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Apex.Coverage.Web.CiReports;

public static class CiReportsHostingExtensions
{
    /// <summary>What CI and pull requests read: run summaries in Markdown, first failing commits, CSV tables, the MRR badge.</summary>
    public static IHostApplicationBuilder AddCiReports(this IHostApplicationBuilder builder)
    {
        builder.Services.TryAddSingleton(TimeProvider.System);
        builder.Services.TryAddSingleton<HistoryAsOf>();
        builder.Services.TryAddSingleton<FirstFailureFinder>();
        builder.Services.TryAddSingleton<RunSummaryService>();
        return builder;
    }

    public static IEndpointRouteBuilder MapCiReports(this IEndpointRouteBuilder app) => app.MapCiReportsApi();
}
