using System.Security.Cryptography;
using Apex.Coverage.Web.Data;
using Microsoft.EntityFrameworkCore;

namespace Apex.Coverage.Web.Plan;

/// <summary>
/// Parses a plan and stores it as a new version when its content differs from the latest one,
/// with the changes against it, in one SaveChanges. A plan with errors is never stored and never
/// replaces the catalog shown. Imports run one at a time, so version numbers stay a sequence.
/// </summary>
public sealed partial class PlanImporter(
    IDbContextFactory<CoverageDbContext> dbFactory,
    PlanCatalog catalog,
    TimeProvider time,
    ILogger<PlanImporter> logger)
{
    private readonly SemaphoreSlim _gate = new(1, 1);

    public async Task<PlanImportResult> ImportFileAsync(string path, CancellationToken cancellationToken)
    {
        byte[] content;
        try
        {
            content = await File.ReadAllBytesAsync(path, cancellationToken);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            var finding = PlanFinding.Error("plan-unreadable", 0, $"The plan file '{path}' cannot be read: {ex.Message}");
            return Reject([finding], path);
        }

        return await ImportAsync(content, path, cancellationToken);
    }

    public async Task<PlanImportResult> ImportAsync(byte[] content, string source, CancellationToken cancellationToken)
    {
        var parsed = PlanParser.Parse(content);
        if (parsed.HasErrors)
        {
            return Reject(parsed.Findings, source);
        }

        await _gate.WaitAsync(cancellationToken);
        try
        {
            return await StoreAsync(parsed, Convert.ToHexString(SHA256.HashData(content)), source, cancellationToken);
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>Shows the latest stored version, so a broken file at start-up still leaves a catalog.</summary>
    public async Task LoadLatestAsync(CancellationToken cancellationToken)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var latest = await db.PlanVersions.AsNoTracking().OrderByDescending(v => v.Number).FirstOrDefaultAsync(cancellationToken);
        if (latest is not null && catalog.Current is null)
        {
            catalog.Publish(ToSnapshot(latest), attempt: null);
        }
    }

    private async Task<PlanImportResult> StoreAsync(
        PlanParseResult parsed, string hash, string source, CancellationToken cancellationToken)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var latest = await db.PlanVersions.AsNoTracking().OrderByDescending(v => v.Number).FirstOrDefaultAsync(cancellationToken);
        var now = time.GetUtcNow();
        if (latest is not null && latest.ContentHash == hash)
        {
            var unchanged = new PlanImportResult(PlanImportOutcome.Unchanged, latest.Number, parsed.Findings, [], now, source);
            catalog.Publish(new PlanSnapshot(latest.Number, parsed.Document, parsed.Findings, latest.ImportedAt, latest.Source), unchanged);
            return unchanged;
        }

        var previous = latest is null ? null : PlanJson.Deserialize<PlanDocument>(latest.DocumentJson);
        var changes = PlanDiff.Compare(previous, parsed.Document);
        var version = NewVersion((latest?.Number ?? 0) + 1, parsed, hash, source, now, changes);
        db.PlanVersions.Add(version);
        await db.SaveChangesAsync(cancellationToken);
        LogImported(version.Number, source, changes.Count);
        var created = new PlanImportResult(PlanImportOutcome.Created, version.Number, parsed.Findings, changes, now, source);
        catalog.Publish(new PlanSnapshot(version.Number, parsed.Document, parsed.Findings, now, source), created);
        return created;
    }

    private static PlanVersion NewVersion(int number, PlanParseResult parsed, string hash, string source,
        DateTimeOffset now, IReadOnlyList<PlanChangeEntry> changes) => new()
    {
        Number = number,
        ContentHash = hash,
        Source = source,
        ImportedAt = now,
        ItemCount = parsed.Document.Items.Count,
        TotalMrr = parsed.Document.TotalMrr,
        DocumentJson = PlanJson.Serialize(parsed.Document),
        FindingsJson = PlanJson.Serialize(parsed.Findings),
        Changes = [.. changes.Select(c => new PlanChange
        {
            Kind = c.Kind, ItemNumber = c.ItemNumber, CategorySlug = c.CategorySlug,
            Subject = c.Subject, Before = c.Before, After = c.After,
        })],
    };

    private static PlanSnapshot ToSnapshot(PlanVersion version) => new(
        version.Number,
        PlanJson.Deserialize<PlanDocument>(version.DocumentJson),
        PlanJson.Deserialize<List<PlanFinding>>(version.FindingsJson),
        version.ImportedAt,
        version.Source);

    private PlanImportResult Reject(IReadOnlyList<PlanFinding> findings, string source)
    {
        var result = new PlanImportResult(PlanImportOutcome.Rejected, null, findings, [], time.GetUtcNow(), source);
        var first = findings.First(f => f.Severity == FindingSeverity.Error);
        LogRejected(source, first.Line, first.Message);
        catalog.Reject(result);
        return result;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Plan version {Version} imported from {Source} with {Changes} changes")]
    private partial void LogImported(int version, string source, int changes);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Plan import from {Source} rejected; the last good catalog stays. Line {Line}: {Message}")]
    private partial void LogRejected(string source, int line, string message);
}
