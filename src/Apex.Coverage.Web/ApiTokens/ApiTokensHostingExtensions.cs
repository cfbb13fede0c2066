using Apex.Coverage.Web.Data;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Apex.Coverage.Web.ApiTokens;

public static class ApiTokensHostingExtensions
{
    /// <summary>The token store and the bearer check that <c>RequireApiToken()</c> applies.</summary>
    public static IHostApplicationBuilder AddApiTokens(this IHostApplicationBuilder builder)
    {
        builder.AddCoverageData();
        builder.Services.TryAddSingleton(TimeProvider.System);
        builder.Services.TryAddSingleton<ApiTokenStore>();
        builder.Services.TryAddSingleton<ApiTokenEndpointFilter>();
        return builder;
    }
}
