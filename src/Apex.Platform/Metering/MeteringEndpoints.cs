using Apex.Platform.Auth;
using Apex.Platform.Data;
using Apex.Platform.Data.ClickHouse;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Apex.Platform.Metering;

public static class MeteringEndpoints
{
    public static IServiceCollection AddMetering(this IServiceCollection services)
    {
        services.AddOptions<MeteringOptions>().BindConfiguration(MeteringOptions.SectionName).ValidateDataAnnotations()
            .Validate(MeteringOptions.IsValid, MeteringOptions.InvalidMetrics).ValidateOnStart();
        services.TryAddSingleton(TimeProvider.System);
        services.AddClickHouse();
        services.AddClickHouseTable(UsageCollector.Table, UsageCollector.Ddl);
        services.AddScoped<UsageCollector>();
        services.AddScoped<UsageStatements>();
        services.TryAddSingleton<UsageInvoices>();
        services.AddSchema(50, "metering", UsageInvoices.Schema);
        return services;
    }

    public static IEndpointRouteBuilder MapMetering(this IEndpointRouteBuilder app)
    {
        var usage = app.MapGroup("/api/usage").RequireAuthorization();
        usage.MapPost("/events", CollectAsync);
        usage.MapGet("/statements/{period}", StatementAsync);
        usage.MapPost("/invoices/{period}", InvoiceAsync);
        return app;
    }

    private static async Task<Results<Accepted<UsageReceipt>, ValidationProblem, ProblemHttpResult>> CollectAsync(
        UsageBatch batch, HttpContext http, UsageCollector collector, ILoggerFactory loggers, CancellationToken ct)
    {
        var tenantId = http.User.ToUserContext().TenantId;
        var events = batch.Events ?? [];
        if (await collector.ValidateAsync(tenantId, events, ct) is { Count: > 0 } problems) return TypedResults.ValidationProblem(problems);
        try
        {
            await collector.StoreAsync(tenantId, events, ct);
        }
        catch (Exception exception) when (exception is HttpRequestException or ClickHouseException or TaskCanceledException && !ct.IsCancellationRequested)
        {
            loggers.CreateLogger(typeof(MeteringEndpoints)).LogWarning(exception, "Usage events could not be stored");
            return TypedResults.Problem("The usage store is unavailable. Send the same batch again: events are counted once by their ids.",
                title: "Usage not recorded", statusCode: StatusCodes.Status503ServiceUnavailable);
        }

        return TypedResults.Accepted((string?)null, new UsageReceipt(events.Count));
    }

    private static async Task<Results<Ok<UsageStatement>, ValidationProblem>> StatementAsync(
        string period, HttpContext http, UsageStatements statements, CancellationToken ct) =>
        IsPeriod(period)
            ? TypedResults.Ok(await statements.ForPeriodAsync(http.User.ToUserContext().TenantId, period, ct))
            : PeriodProblem(period);

    private static async Task<Results<Created<UsageInvoice>, Ok<UsageInvoice>, ValidationProblem, ProblemHttpResult>> InvoiceAsync(
        string period, HttpContext http, UsageStatements statements, UsageInvoices invoices, CancellationToken ct)
    {
        if (!IsPeriod(period)) return PeriodProblem(period);
        if (!invoices.IsClosed(period))
        {
            return TypedResults.Problem($"The period {period} has not ended; usage may still arrive.", statusCode: StatusCodes.Status409Conflict);
        }

        var tenantId = http.User.ToUserContext().TenantId;
        if (await invoices.FindAsync(tenantId, period, ct) is { } existing) return TypedResults.Ok(existing);
        var (invoice, created) = await invoices.IssueAsync(await statements.ForPeriodAsync(tenantId, period, ct), ct);
        return created ? TypedResults.Created($"/api/usage/invoices/{period}", invoice) : TypedResults.Ok(invoice);
    }

    private static bool IsPeriod(string period) =>
        DateTime.TryParseExact(period, "yyyy-MM", System.Globalization.CultureInfo.InvariantCulture, System.Globalization.DateTimeStyles.None, out _);

    private static ValidationProblem PeriodProblem(string period) =>
        TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["period"] = [$"'{period}' is not a period; use yyyy-MM."] });

    public sealed record UsageBatch(List<UsageEvent>? Events);

    public sealed record UsageReceipt(int Accepted);
}
