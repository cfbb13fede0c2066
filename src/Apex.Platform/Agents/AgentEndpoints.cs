using Apex.Platform.Auth;
using Apex.Platform.Billing;
using Apex.Platform.Data;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace Apex.Platform.Agents;

public static class AgentEndpoints
{
    public static IServiceCollection AddAgents(this IServiceCollection services)
    {
        services.AddOptions<LlmOptions>().BindConfiguration(LlmOptions.SectionName).ValidateDataAnnotations().ValidateOnStart();
        services.AddOptions<AgentsOptions>().BindConfiguration(AgentsOptions.SectionName).ValidateDataAnnotations().ValidateOnStart();
        services.TryAddSingleton(TimeProvider.System);
        services.AddHttpClient(LlmClientFactory.HttpClientName);
        services.AddHttpClient(PricingLookupAgent.HttpClientName, (sp, client) =>
        {
            if (sp.GetRequiredService<IOptions<AgentsOptions>>().Value.PricingCatalogUrl is { } url)
            {
                client.BaseAddress = new Uri(url.EndsWith('/') ? url : url + "/");
            }
        });
        services.AddSingleton<ISubAgent, PricingLookupAgent>();
        services.AddSingleton<ISubAgent, ListPriceAgent>();
        services.AddSingleton<ISubAgent, CostCalculatorAgent>();
        services.TryAddSingleton<LlmClientFactory>();
        services.TryAddSingleton<ToolRegistry>();
        services.TryAddSingleton<ToolDispatcher>();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IHostedService, ToolManifestLoader>());
        services.TryAddSingleton<AgentRunStore>();
        services.TryAddSingleton<AgentStateStore>();
        services.TryAddSingleton<AgentErrorStore>();
        services.TryAddSingleton<AgentErrorPropagator>();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IAgentErrorHandler, RetryableErrorHandler>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IAgentErrorHandler, FatalErrorHandler>());
        services.TryAddSingleton<Supervisor>();
        services.TryAddSingleton<WorkflowStore>();
        services.TryAddSingleton<WorkflowEngine>();
        services.AddSchema(30, "agents", AgentRunStore.Schema);
        services.AddSchema(31, "agent-states", AgentStateStore.Schema);
        services.AddSchema(32, "agent-errors", AgentErrorStore.Schema);
        services.AddSchema(33, "agent-workflows", WorkflowStore.Schema);
        services.AddAgentCapabilities();
        return services;
    }

    public static IEndpointRouteBuilder MapAgents(this IEndpointRouteBuilder app)
    {
        var runs = app.MapGroup("/api/agents/runs").RequireAuthorization();
        runs.MapPost("/", StartRunAsync);
        runs.MapGet("/", (HttpContext http, AgentRunStore store, CancellationToken ct) => store.ListAsync(http.User.ToUserContext().TenantId, ct));
        runs.MapGet("/{id:guid}", FindRunAsync);
        runs.MapPost("/{id:guid}/resume", ResumeRunAsync);
        runs.MapPost("/{id:guid}/cancel", CancelRunAsync);
        runs.MapGet("/{id:guid}/errors", ListErrorsAsync);
        app.MapGet("/api/agents/tools", (ToolRegistry registry) => TypedResults.Ok(ToolCatalog.From(registry))).RequireAuthorization();
        app.MapWorkflows();
        app.MapAgentCapabilities();
        return app;
    }

    /// <summary>
    /// Runs the goal to its end within the request: runs are bounded by MaxSteps, and the caller
    /// gets the answer with every step. Each step is already stored as it happens.
    /// </summary>
    private static async Task<Results<Created<AgentRun>, ProblemHttpResult, ValidationProblem>> StartRunAsync(
        NewRun request, HttpContext http, LlmClientFactory llm, Supervisor supervisor, AgentErrorStore errors, CancellationToken ct)
    {
        if (string.IsNullOrWhiteSpace(request.Goal))
        {
            return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["goal"] = ["A run needs a goal."] });
        }

        if (!llm.IsConfigured)
        {
            return TypedResults.Problem("No LLM provider is configured: set Platform:Llm:ApiKey.", statusCode: StatusCodes.Status503ServiceUnavailable);
        }

        var user = http.User.ToUserContext();
        // Billing is a separate capability: where it is hosted, agent runs count against the plan.
        if (http.RequestServices.GetService<UsageMeter>() is { } meter
            && await meter.TryConsumeAsync(user.TenantId, PlanFeature.AgentRuns, ct) is { Allowed: false } denied)
        {
            return denied.ToProblem();
        }

        // A tenant's concurrency and token limits: the run waits for a slot or is refused with the reason.
        await using var lease = await http.RequestServices.GetRequiredService<Resources.AgentResourceManager>().AcquireAsync(user.TenantId, ct);
        if (!lease.Granted)
        {
            return TypedResults.Problem(lease.Refusal, statusCode: StatusCodes.Status429TooManyRequests);
        }

        var run = await supervisor.RunAsync(user, request.Goal, ct);
        if (run.Status == "completed")
        {
            return TypedResults.Created($"/api/agents/runs/{run.Id}", run);
        }

        if (run.Status is "canceled" or "refused")
        {
            return TypedResults.Problem($"The agent run was {run.Status}: {run.Steps.LastOrDefault()?.Content}",
                statusCode: run.Status == "canceled" ? StatusCodes.Status409Conflict : StatusCodes.Status422UnprocessableEntity,
                extensions: new Dictionary<string, object?> { ["runId"] = run.Id, ["runStatus"] = run.Status });
        }

        // The aggregated error names every cause, so the caller needs no second request to see why.
        var failure = (await errors.ListAsync(user.TenantId, run.Id, ct)).LastOrDefault(e => e.Causes.Count > 0);
        return TypedResults.Problem($"The agent run failed: {run.Steps.LastOrDefault()?.Content}", statusCode: StatusCodes.Status502BadGateway,
            extensions: new Dictionary<string, object?> { ["runId"] = run.Id, ["error"] = failure });
    }

    /// <summary>The run's error report: each captured error with where it happened, the aggregated failure last.</summary>
    private static async Task<Results<Ok<List<AgentError>>, NotFound>> ListErrorsAsync(
        Guid id, HttpContext http, AgentRunStore runs, AgentErrorStore errors, CancellationToken ct)
    {
        var tenantId = http.User.ToUserContext().TenantId;
        return await runs.FindAsync(tenantId, id, ct) is null ? TypedResults.NotFound() : TypedResults.Ok(await errors.ListAsync(tenantId, id, ct));
    }

    private static async Task<Results<Ok<AgentRun>, NotFound>> FindRunAsync(Guid id, HttpContext http, AgentRunStore store, CancellationToken ct) =>
        await store.FindAsync(http.User.ToUserContext().TenantId, id, ct) is { } run ? TypedResults.Ok(run) : TypedResults.NotFound();

    private static async Task<Results<Ok<AgentRun>, ProblemHttpResult>> ResumeRunAsync(
        Guid id, HttpContext http, LlmClientFactory llm, Supervisor supervisor, CancellationToken ct)
    {
        if (!llm.IsConfigured)
        {
            return TypedResults.Problem("No LLM provider is configured: set Platform:Llm:ApiKey.", statusCode: StatusCodes.Status503ServiceUnavailable);
        }

        var result = await supervisor.ResumeAsync(http.User.ToUserContext(), id, ct);
        return result.Run is { } run ? TypedResults.Ok(run) : TypedResults.Problem(result.Problem, statusCode: result.Status);
    }

    /// <summary>Asks whichever instance runs the run to cancel it; answers 202 at once, the run records the outcome.</summary>
    private static async Task<Results<Accepted, NotFound, ProblemHttpResult>> CancelRunAsync(
        Guid id, HttpContext http, AgentRunStore store, Cancellation.RunCancellations cancellations, CancellationToken ct)
    {
        if (await store.FindAsync(http.User.ToUserContext().TenantId, id, ct) is not { } run)
        {
            return TypedResults.NotFound();
        }

        if (run.Status != "running")
        {
            return TypedResults.Problem($"Run {id} is {run.Status}; only a running run can be canceled.", statusCode: StatusCodes.Status409Conflict);
        }

        await cancellations.RequestAsync(id);
        return TypedResults.Accepted($"/api/agents/runs/{id}");
    }

    public sealed record NewRun(string? Goal);
}
