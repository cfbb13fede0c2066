using Apex.Platform.Data;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Apex.Platform.Scheduling;

public static class SchedulingServiceCollectionExtensions
{
    /// <summary>
    /// Registers <typeparamref name="TJob"/> to run once per <paramref name="interval"/> on the
    /// platform's scheduler, which the first registration adds to the host.
    /// </summary>
    public static IServiceCollection AddScheduledJob<TJob>(this IServiceCollection services, string name, TimeSpan interval)
        where TJob : class, IScheduledJob
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(interval, TimeSpan.FromSeconds(1));
        if (!services.Any(d => d.ServiceType == typeof(SchedulerActivity)))
        {
            services.AddOptions<SchedulingOptions>().BindConfiguration(SchedulingOptions.SectionName).ValidateDataAnnotations().ValidateOnStart();
            services.TryAddSingleton(TimeProvider.System);
            services.AddSingleton<SchedulerActivity>();
            services.AddHostedService<JobScheduler>();
            services.AddSchema(90, "scheduling", JobLock.Schema);
        }

        services.TryAddScoped<TJob>();
        services.AddSingleton(new ScheduledJob(name, interval, typeof(TJob)));
        return services;
    }
}
