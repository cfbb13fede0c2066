using System.Text.Json.Nodes;
using Apex.Platform.Auth;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Apex.Platform.Agents;

/// <summary>Multi-agent workflows over HTTP: start one, read its state and transitions, resume a failed one.</summary>
public static class WorkflowEndpoints
{
    public static IEndpointRouteBuilder MapWorkflows(this IEndpointRouteBuilder app)
    {
        var workflows = app.MapGroup("/api/agents/workflows").RequireAuthorization();
        workflows.MapPost("/", StartAsync);
        workflows.MapGet("/{id:guid}", FindAsync);
        workflows.MapPost("/{id:guid}/resume", ResumeAsync);
        return app;
    }

    private static async Task<Results<Created<WorkflowRun>, ProblemHttpResult, ValidationProblem>> StartAsync(
        NewWorkflow request, HttpContext http, WorkflowEngine engine, CancellationToken ct)
    {
        if (request.Workflow is null)
        {
            return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["workflow"] = ["A workflow needs a definition: start and nodes."] });
        }

        var result = await engine.StartAsync(http.User.ToUserContext(), request.Workflow, request.Input, ct);
        if (result.Workflow is not { } workflow)
        {
            return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["workflow"] = [result.Problem!] });
        }

        return workflow.Status == "completed" ? TypedResults.Created($"/api/agents/workflows/{workflow.Id}", workflow) : Failed(workflow);
    }

    private static async Task<Results<Ok<WorkflowRun>, NotFound>> FindAsync(Guid id, HttpContext http, WorkflowStore store, CancellationToken ct) =>
        await store.FindAsync(http.User.ToUserContext().TenantId, id, ct) is { } workflow ? TypedResults.Ok(workflow) : TypedResults.NotFound();

    private static async Task<Results<Ok<WorkflowRun>, ProblemHttpResult>> ResumeAsync(Guid id, HttpContext http, WorkflowEngine engine, CancellationToken ct)
    {
        var result = await engine.ResumeAsync(http.User.ToUserContext(), id, ct);
        return result.Workflow switch
        {
            null => TypedResults.Problem(result.Problem, statusCode: result.Status),
            { Status: "completed" } workflow => TypedResults.Ok(workflow),
            var workflow => Failed(workflow),
        };
    }

    /// <summary>A workflow stopped at a failed agent: the caller learns where and why, and that it can be resumed.</summary>
    private static ProblemHttpResult Failed(WorkflowRun workflow) => TypedResults.Problem(
        $"Workflow {workflow.Id} failed at node '{workflow.CurrentNode}': {workflow.Transitions.LastOrDefault(t => t.Event == "agent_failed")?.Detail}. "
        + "Fix the cause and resume it.",
        statusCode: StatusCodes.Status502BadGateway,
        extensions: new Dictionary<string, object?> { ["workflowId"] = workflow.Id, ["node"] = workflow.CurrentNode });

    public sealed record NewWorkflow(WorkflowDefinition? Workflow, JsonObject? Input);
}
