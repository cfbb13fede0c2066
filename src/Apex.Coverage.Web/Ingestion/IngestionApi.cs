using System.ComponentModel;
using System.Diagnostics;
using Apex.Coverage.Web.ApiTokens;
using Apex.Coverage.Web.Results;
using Apex.Coverage.Web.Runs;
using Apex.Coverage.Web.Suites;
using Apex.Coverage.Web.Telemetry;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Options;
using Microsoft.OpenApi;

namespace Apex.Coverage.Web.Ingestion;

public sealed record IngestionCounts(int Total, int Passed, int Failed, int Skipped);

/// <summary>The stored run: <see cref="Duplicate"/> is true when the upload was already there;
/// <see cref="Message"/> says when the suite was not named and the default one was used.</summary>
public sealed record IngestionResponse(long Id, string Status, string Source, string Suite, IngestionCounts Counts, bool Duplicate, string? Message = null);

/// <summary>The query string and headers of an upload.</summary>
public sealed record IngestionQuery(
    [property: Description("The commit the results are for (at most 100 characters).")][FromQuery(Name = "commit")] string? Commit,
    [property: Description("The branch (at most 300 characters).")][FromQuery(Name = "branch")] string? Branch,
    [property: Description("'ci' (default) or 'api'.")][FromQuery(Name = "source")] string? Source,
    [property: Description("A link to the CI build.")][FromQuery(Name = "buildUrl")] string? BuildUrl,
    [property: Description("The suite the results belong to: a configured suite (refused otherwise unless Ingestion:AllowUnknownSuites); the default suite (Ingestion:DefaultSuite) when left out.")][FromQuery(Name = "suite")] string? Suite,
    [property: Description("Makes a retried upload one run: the same key answers with the run it made first.")][FromHeader(Name = "Idempotency-Key")] string? IdempotencyKey);

public static class IngestionApi
{
    public static IEndpointRouteBuilder MapIngestionApi(this IEndpointRouteBuilder app)
    {
        app.MapPost("/api/v1/results", PostResults)
            .WithName("PostResults")
            .WithTags("Results")
            .WithSummary("Upload a TRX or JUnit XML result file from CI")
            .WithDescription(
                "The body is the file itself (Content-Type application/xml or text/xml) or a multipart/form-data file field, "
                + "optionally with Content-Encoding: gzip. Answers 201 with the new run, or 200 with the run made earlier when "
                + "the same file was already posted for the same commit, or the same Idempotency-Key was used.")
            // Not .Accepts(...): its content-type check would answer 415 with no body before the
            // handler could explain; the request body is described for the document instead.
            .AddOpenApiOperationTransformer((operation, _, _) =>
            {
                operation.RequestBody = ResultFileBody();
                return Task.CompletedTask;
            })
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status401Unauthorized)
            .ProducesProblem(StatusCodes.Status413PayloadTooLarge)
            .ProducesProblem(StatusCodes.Status415UnsupportedMediaType)
            .DisableAntiforgery()
            .RequireApiToken(ApiTokenScopes.ResultsWrite);
        return app;
    }

    public static async Task<Results<Created<IngestionResponse>, Ok<IngestionResponse>, ProblemHttpResult>> PostResults(
        [AsParameters] IngestionQuery query, HttpContext context, ResultUploadReader uploads, ResultIngestor ingestor,
        IOptions<IngestionOptions> options, SuiteCatalog suites, RunNotifier notifier, DashboardTelemetry telemetry, CancellationToken cancellationToken)
    {
        var activity = telemetry.StartUpload();
        var started = Stopwatch.GetTimestamp();
        var (outcomeName, stored) = ("rejected", 0);
        try
        {
            var request = IngestionRequestFactory.Validate(query, options.Value, suites.Names, context.ApiTokenName());
            if (!context.ApiTokenAllowsSuite(request.Suite))
            {
                return TypedResults.Problem(statusCode: 403, title: "Not allowed", detail: $"This API token is limited to another suite than '{request.Suite}'.");
            }

            await using var upload = await uploads.ReadAsync(context.Request, cancellationToken);
            var file = ResultFileParser.Parse(upload.Content, options.Value.MaxResultsPerFile);
            var outcome = await ingestor.IngestAsync(request.For(upload), file, cancellationToken);
            var response = ToResponse(outcome) with { Message = request.SuiteDefaulted ? DefaultSuiteMessage(outcome.Run.SuiteName) : null };
            (outcomeName, stored) = outcome.Created ? ("created", outcome.Run.Total) : ("duplicate", 0);
            if (outcome.Created)
            {
                // A CI run ends when it is stored: the report, the trend and watching pages follow.
                notifier.Publish(new RunUpdate(outcome.Run.Id, RunUpdateKind.Status));
                notifier.Publish(new RunUpdate(outcome.Run.Id, RunUpdateKind.Ended));
            }

            return outcome.Created
                ? TypedResults.Created($"/api/v1/runs/{outcome.Run.Id}", response)
                : TypedResults.Ok(response);
        }
        catch (ResultFileException ex)
        {
            return TypedResults.Problem(title: ex.Title, detail: ex.Message, statusCode: ex.StatusCode);
        }
        finally
        {
            telemetry.EndUpload(activity, outcomeName, stored, Stopwatch.GetElapsedTime(started));
        }
    }

    private static OpenApiRequestBody ResultFileBody()
    {
        var file = new OpenApiSchema { Type = JsonSchemaType.String, Format = "binary" };
        var form = new OpenApiSchema
        {
            Type = JsonSchemaType.Object,
            Properties = new Dictionary<string, IOpenApiSchema> { ["file"] = file },
            Required = new HashSet<string> { "file" },
        };
        return new OpenApiRequestBody
        {
            Required = true,
            Description = "The TRX or JUnit XML file; Content-Encoding: gzip is accepted.",
            Content = new Dictionary<string, OpenApiMediaType>
            {
                ["application/xml"] = new() { Schema = file },
                ["text/xml"] = new() { Schema = file },
                ["multipart/form-data"] = new() { Schema = form },
            },
        };
    }

    private static string DefaultSuiteMessage(string suite) =>
        $"No suite was named (?suite=), so the results were stored under the default suite '{suite}' (Ingestion:DefaultSuite).";

    private static IngestionResponse ToResponse(IngestionOutcome outcome)
    {
        var run = outcome.Run;
        return new IngestionResponse(
            run.Id, run.Status.ToString().ToLowerInvariant(), run.Source.ToString().ToLowerInvariant(), run.SuiteName,
            new IngestionCounts(run.Total, run.Passed, run.Failed, run.Skipped), Duplicate: !outcome.Created);
    }
}

/// <summary>The checked query of an upload, waiting for the file's hash to complete its key.</summary>
internal sealed record ValidatedIngestion(
    string Suite, RunSource Source, string? Commit, string? Branch, string? BuildUrl, string? TokenName, string? IdempotencyKey)
{
    /// <summary>True when the request named no suite and the default one was taken.</summary>
    public bool SuiteDefaulted { get; init; }

    /// <summary>Without an Idempotency-Key header, the file's hash and the commit make the key.</summary>
    public IngestionRequest For(ResultUpload upload) => new(
        Suite, Source, Commit, Branch, BuildUrl, TokenName,
        IdempotencyKey ?? $"sha256:{upload.Sha256}:{Commit}", upload.FileName, upload.Sha256, KeyGiven: IdempotencyKey is not null);
}

internal static class IngestionRequestFactory
{
    public static ValidatedIngestion Validate(IngestionQuery query, IngestionOptions options, IReadOnlyList<string> configuredSuites, string? tokenName)
    {
        var source = query.Source?.Trim().ToLowerInvariant() switch
        {
            null or "" or "ci" => RunSource.Ci,
            "api" => RunSource.Api,
            var other => throw ResultFileException.BadFile("Unknown source", $"source='{other}' is not known; use 'ci' (the default) or 'api'."),
        };
        var buildUrl = Limit(query.BuildUrl, "buildUrl", 2000);
        if (buildUrl is not null && !(Uri.TryCreate(buildUrl, UriKind.Absolute, out var uri) && uri.Scheme is "http" or "https"))
        {
            throw ResultFileException.BadFile("buildUrl is not a link", $"buildUrl='{buildUrl}' must be an absolute http or https URL.");
        }

        var asked = Limit(query.Suite, "suite", 200);
        return new ValidatedIngestion(
            SuiteOf(asked, options, configuredSuites), source,
            Limit(query.Commit, "commit", 100), Limit(query.Branch, "branch", 300), buildUrl, tokenName,
            Limit(query.IdempotencyKey, "Idempotency-Key", 200)) { SuiteDefaulted = asked is null };
    }

    // A configured suite keeps its configured spelling, so "l2" and "L2" are one suite.
    private static string SuiteOf(string? asked, IngestionOptions options, IReadOnlyList<string> configured)
    {
        var fallback = options.DefaultSuite ?? IngestionOptions.FallbackSuite;
        if (asked is null)
        {
            return fallback;
        }

        var known = configured.Append(fallback).FirstOrDefault(s => string.Equals(s, asked, StringComparison.OrdinalIgnoreCase));
        if (known is not null || options.AllowUnknownSuites)
        {
            return known ?? asked;
        }

        var names = string.Join(", ", configured.Append(fallback).Distinct(StringComparer.OrdinalIgnoreCase).Select(s => $"'{s}'"));
        throw ResultFileException.BadFile("Unknown suite",
            $"suite='{asked}' is not a configured suite; the configured suites are {names}. Name one of them, leave suite out to use "
            + $"the default suite '{fallback}', or set Ingestion:AllowUnknownSuites to true to accept new suite names.");
    }

    private static string? Limit(string? value, string name, int maxLength)
    {
        value = value?.Trim();
        if (string.IsNullOrEmpty(value))
        {
            return null;
        }

        return value.Length <= maxLength
            ? value
            : throw ResultFileException.BadFile($"{name} too long", $"{name} is {value.Length} characters; at most {maxLength} are kept.");
    }
}
