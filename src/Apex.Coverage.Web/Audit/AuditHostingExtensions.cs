using Apex.Coverage.Web.Data;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Apex.Coverage.Web.Audit;

public static class AuditHostingExtensions
{
    public static IHostApplicationBuilder AddAudit(this IHostApplicationBuilder builder)
    {
        builder.AddCoverageData();
        builder.Services.TryAddSingleton(TimeProvider.System);
        builder.Services.TryAddSingleton<AuditTrail>();
        return builder;
    }
}
