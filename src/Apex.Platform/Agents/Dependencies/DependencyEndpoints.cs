using Microsoft.AspNetCore.Http.HttpResults;

namespace Apex.Platform.Agents.Dependencies;

public static class DependencyEndpoints
{
    public static IEndpointRouteBuilder MapAgentDependencies(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/agents/definitions").RequireAuthorization();
        group.MapPut("/{name}", (string name, DefinitionBody body, AgentDependencyResolver resolver) =>
        {
            resolver.Define(new AgentDefinition(name, body.DependsOn ?? []));
            return TypedResults.NoContent();
        });
        group.MapGet("/{name}/resolution", Results<Ok<DependencyResolution>, ProblemHttpResult> (string name, AgentDependencyResolver resolver) =>
            resolver.Resolve(name) is { Resolved: true } resolution
                ? TypedResults.Ok(resolution)
                : TypedResults.Problem(resolver.Resolve(name).Problem, statusCode: StatusCodes.Status409Conflict));
        return app;
    }

    public sealed record DefinitionBody(List<string>? DependsOn);
}
