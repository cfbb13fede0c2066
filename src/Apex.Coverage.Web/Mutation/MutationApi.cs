using Apex.Coverage.Web.Access;
using Apex.Coverage.Web.ApiTokens;
using Apex.Coverage.Web.Analytics;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Apex.Coverage.Web.Mutation;

public sealed record MutationRunRequest(int PlanItem);

public sealed record MutationRunAccepted(long Id);

public sealed record MutationFileResponse(string Path, int Killed, int Survived, int NoCoverage, int Timeout, double? Score, bool CarriedOver);

public sealed record MutationSurvivorResponse(string Path, int Line, int Column, string Mutator, string Replacement, string Status);

public sealed record MutationRunResponse(
    long Id, string Suite, int PlanItem, string Status, string Source, string? Commit, string? Since, IReadOnlyList<string> Mutate,
    int Tested, int ToTest, int Killed, int Survived, int NoCoverage, int Timeout, double? Score, string? Message,
    DateTimeOffset RequestedAt, DateTimeOffset? StartedAt, DateTimeOffset? FinishedAt,
    IReadOnlyList<MutationFileResponse> Files, IReadOnlyList<MutationSurvivorResponse> Survivors);

public sealed record VerifiedFiguresResponse(decimal ProtectedMrr, decimal VerifiedMrr, int VerifiedItems, int MutatedItems, int UnverifiedItems);

public sealed record VerifiedResponse(double Threshold, DateTimeOffset? LastRunAt, VerifiedFiguresResponse Totals, IReadOnlyDictionary<string, VerifiedFiguresResponse> Categories);

/// <summary>/api/v1/mutation: start, watch and cancel mutation runs; each item's latest figures; verified MRR.</summary>
public static class MutationApi
{
    public static IEndpointRouteBuilder MapMutationApi(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/v1/mutation").WithTags("Mutation").RequireAuthorization(AccessPolicies.Read);
        group.MapPost("/runs", StartAsync).WithName("StartMutationRun").RequireApiToken(ApiTokenScopes.RunsWrite);
        group.MapGet("/runs", ListAsync).WithName("ListMutationRuns");
        group.MapGet("/runs/{id:long}", GetAsync).WithName("GetMutationRun");
        group.MapPost("/runs/{id:long}/cancel", CancelAsync).WithName("CancelMutationRun").RequireApiToken(ApiTokenScopes.RunsWrite);
        group.MapGet("/items/{number:int}", ItemAsync).WithName("GetItemMutation");
        group.MapGet("/verified", VerifiedAsync).WithName("GetVerifiedMrr");
        return app;
    }

    public static async Task<Results<Accepted<MutationRunAccepted>, ProblemHttpResult>> StartAsync(
        MutationRunRequest request, MutationService service, CancellationToken cancellationToken)
    {
        var (run, refusal) = await service.RequestAsync(request.PlanItem, "api", cancellationToken);
        return run is not null
            ? TypedResults.Accepted($"/api/v1/mutation/runs/{run.Id}", new MutationRunAccepted(run.Id))
            : TypedResults.Problem(title: refusal!.Title, detail: refusal.Detail, statusCode: StatusCodes.Status400BadRequest);
    }

    public static async Task<Ok<MutationRunResponse[]>> ListAsync(MutationStore store, MutationProgress progress, int? take, CancellationToken cancellationToken) =>
        TypedResults.Ok((await store.ListAsync(Math.Clamp(take ?? 50, 1, 500), cancellationToken)).Select(r => ToResponse(r, progress)).ToArray());

    public static async Task<Results<Ok<MutationRunResponse>, NotFound>> GetAsync(long id, MutationStore store, MutationProgress progress, CancellationToken cancellationToken) =>
        await store.FindAsync(id, cancellationToken) is { } run ? TypedResults.Ok(ToResponse(run, progress)) : TypedResults.NotFound();

    public static async Task<Results<Accepted, ProblemHttpResult>> CancelAsync(long id, MutationService service, CancellationToken cancellationToken) =>
        await service.CancelAsync(id, cancellationToken)
            ? TypedResults.Accepted($"/api/v1/mutation/runs/{id}")
            : TypedResults.Problem(title: "Nothing to cancel", detail: $"Mutation run {id} is unknown or already over.", statusCode: StatusCodes.Status409Conflict);

    public static async Task<Results<Ok<MutationRunResponse>, NotFound>> ItemAsync(int number, MutationService service, MutationStore store, MutationProgress progress, CancellationToken cancellationToken) =>
        await store.LatestCompletedAsync(service.Suite, number, cancellationToken) is { } run ? TypedResults.Ok(ToResponse(run, progress)) : TypedResults.NotFound();

    public static async Task<Results<Ok<VerifiedResponse>, ProblemHttpResult>> VerifiedAsync(
        CoverageReportHub coverage, MutationService service, MutationStore store, CancellationToken cancellationToken)
    {
        if (await coverage.GetAsync(cancellationToken) is not { } report)
        {
            return TypedResults.Problem(title: "No plan has been imported yet", statusCode: StatusCodes.Status503ServiceUnavailable);
        }

        var verified = VerifiedMrr.Compute(report, await store.LatestPerItemAsync(service.Suite, cancellationToken), service.Threshold);
        return TypedResults.Ok(new VerifiedResponse(verified.Threshold, verified.LastRunAt, Figures(verified.Totals),
            verified.Categories.ToDictionary(c => c.Key, c => Figures(c.Value))));
    }

    private static VerifiedFiguresResponse Figures(VerifiedFigures f) =>
        new(Math.Round(f.ProtectedMrr, 2), Math.Round(f.VerifiedMrr, 2), f.VerifiedItems, f.MutatedItems, f.UnverifiedItems);

    public static MutationRunResponse ToResponse(MutationRun r, MutationProgress progress)
    {
        var live = progress.Live(r.Id);
        return new(r.Id, r.Suite, r.PlanItem, r.Status, r.Source, r.Commit, r.Since, r.Scope.Split('\n', StringSplitOptions.RemoveEmptyEntries),
            live?.Tested ?? r.Tested, live?.Total ?? r.ToTest, r.Killed, r.Survived, r.NoCoverage, r.Timeout, Round(r.Counts.Score), r.Message,
            r.RequestedAt, r.StartedAt, r.FinishedAt,
            [.. r.Files.Select(f => new MutationFileResponse(f.Path, f.Killed, f.Survived, f.NoCoverage, f.Timeout, Round(f.Counts.Score), f.CarriedOver))],
            [.. r.Survivors.Select(s => new MutationSurvivorResponse(s.Path, s.Line, s.Column, s.Mutator, s.Replacement, s.Status))]);
    }

    private static double? Round(double? score) => score is { } s ? Math.Round(s, 2) : null;
}
