using Apex.Coverage.Web.Data;
using Apex.Coverage.Web.Results;
using Apex.Coverage.Web.Runs;
using Microsoft.EntityFrameworkCore;

namespace Apex.Coverage.Web.Ingestion;

/// <summary>Where an uploaded file came from and what makes it the same upload again.</summary>
/// <remarks><paramref name="Sha256"/> is the stored file's hash; <paramref name="KeyGiven"/> says the key came from an
/// Idempotency-Key header, so the same key with another file is a conflict rather than a retry.</remarks>
public sealed record IngestionRequest(
    string Suite, RunSource Source, string? Commit, string? Branch, string? BuildUrl, string? TokenName,
    string IdempotencyKey, string? FileName, string? Sha256 = null, bool KeyGiven = false);

public sealed record IngestionOutcome(TestRun Run, bool Created);

/// <summary>
/// Stores a parsed file as one CI run with its results and the tests it made known, in one
/// transaction: either all of it is there afterwards or none. An upload whose idempotency key
/// (header, or file hash plus commit) is already stored answers with the existing run instead.
/// </summary>
public sealed class ResultIngestor(IDbContextFactory<CoverageDbContext> factory, TimeProvider time) : IDisposable
{
    // SQLite takes one writer at a time; queueing uploads here instead of in SQLite's busy loop
    // keeps twenty concurrent uploads from timing each other out. Several processes on one
    // database still meet at the unique index on (SuiteName, IdempotencyKey).
    private readonly SemaphoreSlim _writes = new(1, 1);

    public async Task<IngestionOutcome> IngestAsync(IngestionRequest request, ParsedResultFile file, CancellationToken cancellationToken)
    {
        if (file.Results.Count == 0)
        {
            // A file without a single result is a broken CI step, never a green run.
            throw ResultFileException.BadFile("No test results",
                "The file holds no test result (no <testcase> or <UnitTestResult>), so it is not stored: an empty run would show as passed. "
                + "Check that the test step ran and wrote its results before the upload step.");
        }

        await _writes.WaitAsync(cancellationToken);
        try
        {
            return await FindAsync(request, cancellationToken) is { } existing
                ? new IngestionOutcome(SameUpload(request, existing), Created: false)
                : await StoreAsync(request, file, cancellationToken);
        }
        catch (DbUpdateException)
        {
            // Another process stored the same upload between our look-up and our insert.
            var raced = await FindAsync(request, CancellationToken.None);
            return raced is null ? throw new InvalidOperationException("Storing the upload failed.") : new IngestionOutcome(SameUpload(request, raced), Created: false);
        }
        finally
        {
            _writes.Release();
        }
    }

    public void Dispose() => _writes.Dispose();

    // A retry sends the same file again; the same key with another file is a client's mistake
    // that must not be answered with the old run as if the new file were stored.
    private static TestRun SameUpload(IngestionRequest request, TestRun existing) =>
        !request.KeyGiven || request.Sha256 is null || existing.UploadSha256 is null
            || string.Equals(existing.UploadSha256, request.Sha256, StringComparison.OrdinalIgnoreCase)
            ? existing
            : throw new ResultFileException(StatusCodes.Status409Conflict, "Idempotency-Key already used for another file",
                $"The Idempotency-Key '{request.IdempotencyKey}' was used for run {existing.Id} with a different file. A retry must send the same "
                + "file; a new file needs a new key (or none: the file's hash and the commit then make the key).");

    private async Task<TestRun?> FindAsync(IngestionRequest request, CancellationToken cancellationToken)
    {
        await using var db = await factory.CreateDbContextAsync(cancellationToken);
        return await db.TestRuns.AsNoTracking()
            .FirstOrDefaultAsync(r => r.SuiteName == request.Suite && r.IdempotencyKey == request.IdempotencyKey, cancellationToken);
    }

    private async Task<IngestionOutcome> StoreAsync(IngestionRequest request, ParsedResultFile file, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        await using var db = await factory.CreateDbContextAsync(cancellationToken);
        db.ChangeTracker.AutoDetectChangesEnabled = false;
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        var run = NewRun(request, file, now);
        db.TestRuns.Add(run);
        await db.SaveChangesAsync(cancellationToken);
        await BulkInserter.InsertAsync(db, [.. file.Results.Select(r => ToEntity(r, run.Id, request.Suite, request.Commit, now))], cancellationToken);
        await new DiscoveredTestUpdater(db, request, run.Id, now).ApplyAsync(file, cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return new IngestionOutcome(run, Created: true);
    }

    private static TestRun NewRun(IngestionRequest request, ParsedResultFile file, DateTimeOffset now)
    {
        var started = file.Results.Min(r => r.StartedAt) ?? now;
        var finished = file.Results.Max(r => r.FinishedAt) ?? now;
        return new TestRun
        {
            SuiteName = request.Suite,
            Source = request.Source,
            Status = file.Failed > 0 ? RunStatus.Failed : RunStatus.Passed,
            Commit = request.Commit,
            Branch = request.Branch,
            BuildUrl = request.BuildUrl,
            TokenName = request.TokenName,
            IdempotencyKey = request.IdempotencyKey,
            UploadSha256 = request.Sha256,
            CreatedAt = now,
            StartedAt = started,
            FinishedAt = finished < started ? started : finished,
            Total = file.Results.Count,
            Passed = file.Passed,
            Failed = file.Failed,
            Skipped = file.Skipped,
            Message = $"Posted by CI as a {(file.Format == ResultFileFormat.Trx ? "TRX" : "JUnit XML")} file"
                + (request.FileName is null ? "." : $" ({request.FileName}).") + ResultLimits.Describe(file),
        };
    }

    private static TestResult ToEntity(ParsedResult result, long runId, string suite, string? commit, DateTimeOffset now) => new()
    {
        RunId = runId,
        SuiteName = suite,
        ResultKey = result.ResultKey,
        FullyQualifiedName = result.FullyQualifiedName,
        DisplayName = result.DisplayName,
        Outcome = result.Outcome,
        DurationSeconds = result.DurationSeconds,
        ErrorMessage = result.ErrorMessage,
        StackTrace = result.StackTrace,
        Output = result.Output,
        StartedAt = result.StartedAt,
        FinishedAt = result.FinishedAt,
        Commit = commit,
        RecordedAt = now,
    };
}
