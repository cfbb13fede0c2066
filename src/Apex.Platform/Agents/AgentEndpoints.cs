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
        services.TryAddSingleton<ToolDispatcher>();
        services.TryAddSingleton<AgentRunStore>();
        services.TryAddSingleton<AgentStateStore>();
        services.TryAddSingleton<Supervisor>();
        services.AddSchema(30, "agents", AgentRunStore.Schema);
        services.AddSchema(31, "agent-states", AgentStateStore.Schema);
        return services;
    }

    public static IEndpointRouteBuilder MapAgents(this IEndpointRouteBuilder app)
    {
        var runs = app.MapGroup("/api/agents/runs").RequireAuthorization();
        runs.MapPost("/", StartRunAsync);
        runs.MapGet("/", (HttpContext http, AgentRunStore store, CancellationToken ct) => store.ListAsync(http.User.ToUserContext().TenantId, ct));
        runs.MapGet("/{id:guid}", FindRunAsync);
        runs.MapPost("/{id:guid}/resume", ResumeRunAsync);
        return app;
    }

    /// <summary>
    /// Runs the goal to its end within the request: runs are bounded by MaxSteps, and the caller
    /// gets the answer with every step. Each step is already stored as it happens.
    /// </summary>
    private static async Task<Results<Created<AgentRun>, ProblemHttpResult, ValidationProblem>> StartRunAsync(
        NewRun request, HttpContext http, LlmClientFactory llm, Supervisor supervisor, CancellationToken ct)
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

        var run = await supervisor.RunAsync(user, request.Goal, ct);
        return run.Status == "completed"
            ? TypedResults.Created($"/api/agents/runs/{run.Id}", run)
            : TypedResults.Problem($"The agent run failed: {run.Steps.LastOrDefault()?.Content}", statusCode: StatusCodes.Status502BadGateway,
                extensions: new Dictionary<string, object?> { ["runId"] = run.Id });
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

    public sealed record NewRun(string? Goal);
}
