using Apex.Coverage.Web.Data;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Apex.Coverage.Web.Results;

public static class ResultsHostingExtensions
{
    /// <summary>
    /// The shared model every feature reads and writes: the store, the run change notifier and the
    /// read services over runs. Features call this; it registers once (TryAdd).
    /// </summary>
    public static IHostApplicationBuilder AddResults(this IHostApplicationBuilder builder)
    {
        builder.AddCoverageData();
        builder.Services.TryAddSingleton<RunNotifier>();
        builder.Services.TryAddSingleton<RunReader>();
        return builder;
    }
}
