using Apex.Coverage.Web.Data;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Apex.Coverage.Web.ApiTokens;

public static class ApiTokensHostingExtensions
{
    /// <summary>The token store (the CLI's too); the bearer scheme itself is added by <c>AddAccess()</c>.</summary>
    public static IHostApplicationBuilder AddApiTokens(this IHostApplicationBuilder builder)
    {
        builder.AddCoverageData();
        builder.Services.TryAddSingleton(TimeProvider.System);
        builder.Services.TryAddSingleton<ApiTokenStore>();
        return builder;
    }
}
