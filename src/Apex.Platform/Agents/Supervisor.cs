using System.Text.Json;
using Apex.Platform.Auth;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Options;

namespace Apex.Platform.Agents;

/// <summary>
/// Runs a goal to an answer: the LLM plans and names tool calls, the supervisor dispatches them
/// to sub-agents itself (no automatic function invocation, so every call is checked and
/// recorded), feeds the results back and stops at the first reply without tool calls.
/// </summary>
public sealed class Supervisor(
    LlmClientFactory llm, ToolDispatcher dispatcher, AgentRunStore store, IOptions<AgentsOptions> options, ILogger<Supervisor> logger)
{
    private const string Instructions = """
        You are the Apex supervisor. First state a short plan, then delegate each step to the
        sub-agent tools. A tool result with "status": "failed" or "refused" means that step did not
        happen: fall back to another tool or say what could not be done. Finish with the answer.
        """;

    public async Task<AgentRun> RunAsync(UserContext user, string goal, CancellationToken cancellationToken)
    {
        var runId = await store.StartAsync(user, goal, cancellationToken);
        try
        {
            var (status, answer) = await ConverseAsync(runId, goal, cancellationToken);
            await store.FinishAsync(runId, status, answer, cancellationToken);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            await store.FinishAsync(runId, "canceled", null, CancellationToken.None);
            throw;
        }
        catch (Exception exception)
        {
            // The provider failing is the run failing; the record says so instead of staying "running".
            logger.LogWarning(exception, "Agent run {RunId} failed", runId);
            await store.AppendStepAsync(runId, StepKind.Error, exception.Message, null, null, CancellationToken.None);
            await store.FinishAsync(runId, "failed", null, CancellationToken.None);
        }

        return (await store.FindAsync(user.TenantId, runId, CancellationToken.None))!;
    }

    private async Task<(string Status, string? Answer)> ConverseAsync(Guid runId, string goal, CancellationToken cancellationToken)
    {
        List<ChatMessage> messages = [new(ChatRole.System, Instructions), new(ChatRole.User, goal)];
        var chatOptions = new ChatOptions { Tools = dispatcher.Declarations(), ToolMode = ChatToolMode.Auto };
        for (var round = 0; round < options.Value.MaxSteps; round++)
        {
            var response = await llm.Client.GetResponseAsync(messages, chatOptions, cancellationToken);
            messages.AddRange(response.Messages);
            var calls = response.Messages.SelectMany(m => m.Contents).OfType<FunctionCallContent>().ToList();
            if (calls.Count == 0)
            {
                await store.AppendStepAsync(runId, StepKind.Answer, response.Text, null, null, cancellationToken);
                return ("completed", response.Text);
            }

            if (!string.IsNullOrWhiteSpace(response.Text))
            {
                await store.AppendStepAsync(runId, StepKind.Plan, response.Text, null, null, cancellationToken);
            }

            messages.Add(new ChatMessage(ChatRole.Tool, await DispatchAllAsync(runId, calls, cancellationToken)));
        }

        var error = $"The run stopped after {options.Value.MaxSteps} LLM rounds (Platform:Agents:MaxSteps) without a final answer.";
        await store.AppendStepAsync(runId, StepKind.Error, error, null, null, cancellationToken);
        return ("failed", null);
    }

    private async Task<List<AIContent>> DispatchAllAsync(Guid runId, List<FunctionCallContent> calls, CancellationToken cancellationToken)
    {
        var results = new List<AIContent>();
        foreach (var call in calls)
        {
            var arguments = JsonSerializer.Serialize(call.Arguments ?? new Dictionary<string, object?>());
            await store.AppendStepAsync(runId, StepKind.ToolCall, arguments, call.Name, call.CallId, cancellationToken);
            var outcome = await dispatcher.DispatchAsync(call, cancellationToken);
            var kind = outcome.Status switch
            {
                ToolStatus.Succeeded => StepKind.ToolResult,
                ToolStatus.Refused => StepKind.ToolRefused,
                _ => StepKind.ToolFailed,
            };
            await store.AppendStepAsync(runId, kind, outcome.Content, call.Name, call.CallId, cancellationToken);
            results.Add(new FunctionResultContent(call.CallId, outcome.Content));
        }

        return results;
    }
}
