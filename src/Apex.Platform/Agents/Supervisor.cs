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
    LlmClientFactory llm, ToolDispatcher dispatcher, AgentRunStore store, AgentStateStore states,
    AgentErrorPropagator errors, IOptions<AgentsOptions> options, ILogger<Supervisor> logger,
    Cancellation.RunCancellations cancellations, Quality.QualityGate gate, IOptionsMonitor<Configuration.AgentRuntimeOptions> runtime)
{
    public const string Instructions = """
        You are the Apex supervisor. First state a short plan, then delegate each step to the
        sub-agent tools. A tool result with "status": "failed" or "refused" means that step did not
        happen: fall back to another tool or say what could not be done. Finish with the answer.
        """;

    public async Task<AgentRun> RunAsync(UserContext user, string goal, CancellationToken cancellationToken)
    {
        var runId = await store.StartAsync(user, goal, cancellationToken);
        // Instructions as configured now: a configuration change applies to the runs started after it.
        var state = new AgentState(runId, goal, 0, [new(ChatRole.System, runtime.CurrentValue.Instructions ?? Instructions), new(ChatRole.User, goal)]);
        await states.SaveAsync(state, cancellationToken);
        return await ExecuteAsync(user, state, cancellationToken);
    }

    /// <summary>
    /// Carries on a run that did not finish (the platform stopped, the provider failed) from its
    /// saved state, on whichever instance is asked: finished tool calls are not run again.
    /// </summary>
    public async Task<ResumeResult> ResumeAsync(UserContext user, Guid runId, CancellationToken cancellationToken)
    {
        if (await store.FindAsync(user.TenantId, runId, cancellationToken) is not { } run)
        {
            return ResumeResult.Refused(StatusCodes.Status404NotFound, $"No run {runId} in this tenant.");
        }

        if (run.Status == "completed")
        {
            return ResumeResult.Refused(StatusCodes.Status409Conflict, $"Run {runId} is already completed; there is nothing to resume.");
        }

        if (run.Status is "canceled" or "refused")
        {
            return ResumeResult.Refused(StatusCodes.Status409Conflict, $"Run {runId} was {run.Status}; a {run.Status} run cannot be resumed. Start a new run instead.");
        }

        AgentState? state;
        try
        {
            state = await states.LoadAsync(runId, Instructions, cancellationToken);
        }
        catch (AgentStateUnreadableException exception)
        {
            return ResumeResult.Refused(StatusCodes.Status409Conflict, exception.Message);
        }

        if (state is null)
        {
            return ResumeResult.Refused(StatusCodes.Status409Conflict, $"Run {runId} has no saved state to resume from.");
        }

        await store.FinishAsync(runId, "running", null, cancellationToken);
        await store.AppendStepAsync(runId, StepKind.Resumed, $"Resumed after round {state.Round}.", null, null, cancellationToken);
        return ResumeResult.Resumed(await ExecuteAsync(user, state, cancellationToken));
    }

    private async Task<AgentRun> ExecuteAsync(UserContext user, AgentState state, CancellationToken cancellationToken)
    {
        var runId = state.RunId;
        using var call = Llm.AgentCallContext.Begin(runId, user.TenantId);
        using var scope = cancellations.Begin(runId, cancellationToken);
        try
        {
            var (status, answer) = await ConverseAsync(user, state, scope.Token);
            await store.FinishAsync(runId, status, answer, scope.Token);
        }
        catch (OperationCanceledException) when (scope.Token.IsCancellationRequested)
        {
            // The in-flight LLM call and tools saw the same token and stopped; the run says why.
            await store.AppendStepAsync(runId, StepKind.Canceled, scope.Reason ?? "the caller went away", null, null, CancellationToken.None);
            await store.FinishAsync(runId, "canceled", null, CancellationToken.None);
            if (scope.Reason is null) throw;
        }
        catch (Exception exception)
        {
            // The provider failing is the run failing; the record says so instead of staying "running",
            // with every sub-agent error that came before it, since those are often the reason.
            logger.LogWarning(exception, "Agent run {RunId} failed", runId);
            var failure = await errors.AggregateAsync(new ErrorSite(runId, user.TenantId, null, "supervisor", null), exception, CancellationToken.None);
            await store.AppendStepAsync(runId, StepKind.Error, failure.Message, null, null, CancellationToken.None);
            await store.FinishAsync(runId, "failed", null, CancellationToken.None);
        }

        return (await store.FindAsync(user.TenantId, runId, CancellationToken.None))!;
    }

    private async Task<(string Status, string? Answer)> ConverseAsync(UserContext user, AgentState state, CancellationToken cancellationToken)
    {
        var runId = state.RunId;
        List<ChatMessage> messages = [.. state.Messages];
        var disabled = runtime.CurrentValue.DisabledTools;
        var chatOptions = new ChatOptions { Tools = [.. dispatcher.Declarations().Where(t => !disabled.Contains(t.Name))], ToolMode = ChatToolMode.Auto };
        var attempts = 0;
        for (var round = state.Round; round < options.Value.MaxSteps; round++)
        {
            var response = await llm.Client.GetResponseAsync(messages, chatOptions, cancellationToken);
            messages.AddRange(response.Messages);
            var calls = response.Messages.SelectMany(m => m.Contents).OfType<FunctionCallContent>().ToList();
            if (calls.Count == 0 && await gate.CheckAsync(runId, ++attempts, response.Text, cancellationToken) is { Passed: false } verdict)
            {
                // The model gets the validator's reasons and another try, until the attempts are used up.
                await store.AppendStepAsync(runId, StepKind.QualityRefused, verdict.Feedback, null, null, cancellationToken);
                if (attempts >= gate.MaxAttempts) return ("refused", null);
                messages.Add(new ChatMessage(ChatRole.User, verdict.Feedback));
                continue;
            }

            if (calls.Count == 0)
            {
                await store.AppendStepAsync(runId, StepKind.Answer, response.Text, null, null, cancellationToken);
                await states.SaveAsync(state with { Round = round + 1, Messages = messages }, cancellationToken);
                return ("completed", response.Text);
            }

            if (!string.IsNullOrWhiteSpace(response.Text))
            {
                await store.AppendStepAsync(runId, StepKind.Plan, response.Text, null, null, cancellationToken);
            }

            messages.Add(new ChatMessage(ChatRole.Tool, await DispatchAllAsync(new ErrorSite(runId, user.TenantId, null, "supervisor", null), calls, disabled, cancellationToken)));
            // A checkpoint per round: a restart loses at most the round in flight.
            await states.SaveAsync(state with { Round = round + 1, Messages = messages }, cancellationToken);
        }

        throw new InvalidOperationException($"The run stopped after {options.Value.MaxSteps} LLM rounds (Platform:Agents:MaxSteps) without a final answer.");
    }

    private async Task<List<AIContent>> DispatchAllAsync(ErrorSite run, List<FunctionCallContent> calls, List<string> disabled, CancellationToken cancellationToken)
    {
        var results = new List<AIContent>();
        foreach (var call in calls)
        {
            var arguments = JsonSerializer.Serialize(call.Arguments ?? new Dictionary<string, object?>());
            await store.AppendStepAsync(run.RunId, StepKind.ToolCall, arguments, call.Name, call.CallId, cancellationToken);
            var outcome = disabled.Contains(call.Name)
                ? ToolOutcome.Refused($"Tool '{call.Name}' is disabled by the agent configuration.")
                : await dispatcher.DispatchAsync(call, cancellationToken);
            var step = await store.AppendStepAsync(run.RunId, KindOf(outcome.Status), outcome.Content, call.Name, call.CallId, cancellationToken);
            if (outcome.Exception is { } exception)
            {
                await errors.CaptureAsync(run with { Step = step, Agent = call.Name, CallId = call.CallId }, exception, cancellationToken);
            }

            results.Add(new FunctionResultContent(call.CallId, outcome.Content));
        }

        return results;
    }

    private static StepKind KindOf(ToolStatus status) => status switch
    {
        ToolStatus.Succeeded => StepKind.ToolResult,
        ToolStatus.Refused => StepKind.ToolRefused,
        _ => StepKind.ToolFailed,
    };
}

/// <summary>A resumed run, or why it could not be resumed (as an HTTP status and a message a person can act on).</summary>
public sealed record ResumeResult(AgentRun? Run, int Status, string? Problem)
{
    public static ResumeResult Resumed(AgentRun run) => new(run, StatusCodes.Status200OK, null);

    public static ResumeResult Refused(int status, string problem) => new(null, status, problem);
}
