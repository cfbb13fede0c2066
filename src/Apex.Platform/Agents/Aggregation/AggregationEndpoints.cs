using System.Text.Json.Nodes;
using Apex.Platform.Auth;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Apex.Platform.Agents.Aggregation;

public static class AggregationEndpoints
{
    public static IEndpointRouteBuilder MapAggregation(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/agents/aggregate").RequireAuthorization();
        group.MapPost("/", AggregateAsync);
        group.MapGet("/conflicts", async (HttpContext http, AggregationService service, CancellationToken ct) =>
            TypedResults.Ok(await service.ConflictsAsync(http.User.ToUserContext().TenantId, ct)));
        return app;
    }

    private static async Task<Results<Ok<AggregatedResult>, ValidationProblem, ProblemHttpResult>> AggregateAsync(
        AggregateBody body, HttpContext http, AggregationService service, CancellationToken ct)
    {
        var problems = new Dictionary<string, string[]>();
        if (body.Agents is not { Count: >= 2 }) problems["agents"] = ["Name at least two sub-agents to aggregate."];
        if (string.IsNullOrWhiteSpace(body.Field)) problems["field"] = ["Name the result field that holds the answer."];
        if (!ConflictPolicies.TryParse(body.Policy, out var policy)) problems["policy"] = [$"Unknown policy '{body.Policy}'; use one of {ConflictPolicies.Names}."];
        if (problems.Count > 0) return TypedResults.ValidationProblem(problems);

        try
        {
            var request = new AggregationRequest(body.Agents!, body.Arguments ?? [], body.Field!, policy, body.SourcePriority);
            return TypedResults.Ok(await service.AggregateAsync(http.User.ToUserContext().TenantId, request, ct));
        }
        catch (InvalidOperationException exception)
        {
            return TypedResults.Problem(exception.Message, statusCode: StatusCodes.Status502BadGateway);
        }
    }

    public sealed record AggregateBody(List<string>? Agents, JsonObject? Arguments, string? Field, string? Policy, List<string>? SourcePriority);
}
