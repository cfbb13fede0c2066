using System.Text.Json.Nodes;
using Apex.Platform.Auth;
using Microsoft.Extensions.AI;

namespace Apex.Platform.Agents;

/// <summary>
/// The agent coordinator: walks a workflow's nodes, running agents through the tool dispatcher
/// (so arguments are checked against each agent's schema), parallel branches concurrently, and
/// conditions on earlier outputs. The state machine (running, then completed or failed) is saved
/// after every node, so a failed workflow resumes at the node that failed, on any instance,
/// without running finished agents again.
/// </summary>
public sealed class WorkflowEngine(WorkflowStore store, ToolDispatcher dispatcher, ToolRegistry tools)
{
    public async Task<WorkflowResult> StartAsync(UserContext user, WorkflowDefinition definition, JsonObject? input, CancellationToken cancellationToken)
    {
        var problems = WorkflowRules.Check(definition, tools);
        if (problems.Count > 0)
        {
            return new WorkflowResult(null, StatusCodes.Status400BadRequest, string.Join("; ", problems));
        }

        var id = Guid.NewGuid();
        await store.CreateAsync(id, user.TenantId, user.UserId, definition, new JsonObject { ["input"] = input?.DeepClone() ?? new JsonObject() }, cancellationToken);
        await store.RecordAsync(id, definition.Start, "started", null, cancellationToken);
        return WorkflowResult.Ran(await RunAsync(user.TenantId, id, cancellationToken));
    }

    public async Task<WorkflowResult> ResumeAsync(UserContext user, Guid id, CancellationToken cancellationToken)
    {
        if (await store.FindAsync(user.TenantId, id, cancellationToken) is not { } workflow)
        {
            return new WorkflowResult(null, StatusCodes.Status404NotFound, $"No workflow {id} in this tenant.");
        }

        if (workflow.Status != "failed")
        {
            return new WorkflowResult(null, StatusCodes.Status409Conflict, $"Workflow {id} is {workflow.Status}; only a failed workflow can be resumed.");
        }

        await store.RecordAsync(id, workflow.CurrentNode, "resumed", null, cancellationToken);
        return WorkflowResult.Ran(await RunAsync(user.TenantId, id, cancellationToken));
    }

    private async Task<WorkflowRun> RunAsync(Guid tenantId, Guid id, CancellationToken cancellationToken)
    {
        var workflow = (await store.FindAsync(tenantId, id, cancellationToken))!;
        var (values, current) = (workflow.Values, workflow.CurrentNode);
        while (current is not null)
        {
            var (succeeded, next) = await StepAsync(id, current, workflow.Definition.Nodes!, values, cancellationToken);
            if (!succeeded)
            {
                await store.RecordAsync(id, current, "failed", null, cancellationToken);
                await store.SaveAsync(id, "failed", current, values, cancellationToken);
                return (await store.FindAsync(tenantId, id, CancellationToken.None))!;
            }

            await store.RecordAsync(id, current, "transition", next ?? "end", cancellationToken);
            await store.SaveAsync(id, next is null ? "completed" : "running", next, values, cancellationToken);
            current = next;
        }

        await store.RecordAsync(id, null, "completed", null, cancellationToken);
        return (await store.FindAsync(tenantId, id, CancellationToken.None))!;
    }

    private async Task<(bool Succeeded, string? Next)> StepAsync(
        Guid id, string nodeId, IReadOnlyDictionary<string, WorkflowNode> nodes, JsonObject values, CancellationToken cancellationToken)
    {
        var node = nodes[nodeId];
        if (node.Condition is { } condition)
        {
            var holds = condition.Holds(values);
            var next = holds ? node.Then : node.Else;
            await store.RecordAsync(id, nodeId, "routed", $"{condition.Path}: {(holds ? "then" : "else")} -> {next}", cancellationToken);
            return (true, next);
        }

        // Arguments are bound before the branches start: they read the values, the branches' outputs are added after.
        var calls = (node.Parallel ?? [nodeId]).Where(branch => values[branch] is null)
            .Select(branch => new FunctionCallContent(branch, nodes[branch].Agent!, WorkflowValues.Bind(nodes[branch].Arguments, values))).ToList();
        var outcomes = await Task.WhenAll(calls.Select(call => RunAgentAsync(id, call, cancellationToken)));
        foreach (var (call, outcome) in calls.Zip(outcomes).Where(pair => pair.Second.Status == ToolStatus.Succeeded))
        {
            values[call.CallId] = JsonNode.Parse(outcome.Content);
        }

        return (outcomes.All(outcome => outcome.Status == ToolStatus.Succeeded), node.Next);
    }

    private async Task<ToolOutcome> RunAgentAsync(Guid id, FunctionCallContent call, CancellationToken cancellationToken)
    {
        await store.RecordAsync(id, call.CallId, "agent_started", call.Name, cancellationToken);
        var outcome = await dispatcher.DispatchAsync(call, cancellationToken);
        await store.RecordAsync(id, call.CallId, outcome.Status == ToolStatus.Succeeded ? "agent_completed" : "agent_failed", outcome.Content, cancellationToken);
        return outcome;
    }
}

/// <summary>A workflow that ran (to its end or to a failed node), or why it could not start or resume.</summary>
public sealed record WorkflowResult(WorkflowRun? Workflow, int Status, string? Problem)
{
    public static WorkflowResult Ran(WorkflowRun workflow) => new(workflow, StatusCodes.Status200OK, null);
}
