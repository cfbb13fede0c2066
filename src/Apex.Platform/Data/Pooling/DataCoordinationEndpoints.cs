using System.Globalization;
using Apex.Platform.Auth;
using Microsoft.AspNetCore.Http.HttpResults;
using Npgsql;

namespace Apex.Platform.Data.Pooling;

/// <summary>
/// The "data" service: database-heavy reads behind the <see cref="PoolGuard"/>, so that a pool
/// running dry is answered with 503 problem details and a Retry-After, never with a hung request.
/// </summary>
public static class DataCoordinationEndpoints
{
    private const string Schema = """
        CREATE TABLE IF NOT EXISTS report_usage (id bigserial PRIMARY KEY, tenant_id uuid NOT NULL, cents bigint NOT NULL);
        CREATE INDEX IF NOT EXISTS report_usage_tenant ON report_usage (tenant_id);
        """;

    public static IServiceCollection AddDataCoordination(this IServiceCollection services)
    {
        services.AddOptions<PoolGuardOptions>().BindConfiguration(PoolGuardOptions.SectionName).ValidateDataAnnotations().ValidateOnStart();
        services.AddSingleton<PoolGuard>();
        services.AddSchema(40, "report_usage", Schema);
        return services;
    }

    public static IEndpointRouteBuilder MapDataCoordination(this IEndpointRouteBuilder app)
    {
        app.MapGroup("/data").RequireAuthorization().MapGet("/reports/usage", UsageAsync);
        return app;
    }

    private static async Task<Results<Ok<UsageReport>, ProblemHttpResult>> UsageAsync(HttpContext http, PoolGuard pool, CancellationToken ct)
    {
        var tenant = http.User.ToUserContext().TenantId;
        try
        {
            await using var connection = await pool.AcquireAsync(ct);
            await using var command = new NpgsqlCommand("SELECT count(*), coalesce(sum(cents), 0)::bigint FROM report_usage WHERE tenant_id = $1", connection);
            command.Parameters.Add(new() { Value = tenant });
            await using var reader = await command.ExecuteReaderAsync(ct);
            await reader.ReadAsync(ct);
            return TypedResults.Ok(new UsageReport(tenant, reader.GetInt64(0), reader.GetInt64(1)));
        }
        catch (PoolExhaustedException e)
        {
            http.Response.Headers.RetryAfter = Math.Max(1, (int)Math.Ceiling(e.RetryAfter.TotalSeconds)).ToString(CultureInfo.InvariantCulture);
            return TypedResults.Problem(e.Message, statusCode: StatusCodes.Status503ServiceUnavailable, title: "Database busy");
        }
    }

    public sealed record UsageReport(Guid TenantId, long Invoices, long Cents);
}
