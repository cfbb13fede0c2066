using Apex.Coverage.Web.Data;
using Apex.Coverage.Web.Results;
using Microsoft.EntityFrameworkCore;

namespace Apex.Coverage.Web.Analytics;

/// <summary>
/// A stored failure's full text: the message, the stack trace and the output. The analytics keep
/// only the message (<see cref="RecordedOutcome"/>); the rest is read when a person opens it.
/// </summary>
public sealed record FailureText(string? Message, string? StackTrace, string? Output)
{
    /// <summary>The first failed result of <paramref name="fullyQualifiedName"/> in run <paramref name="runId"/>, or null.</summary>
    public static async Task<FailureText?> ReadAsync(
        IDbContextFactory<CoverageDbContext> databases, long runId, string fullyQualifiedName, CancellationToken cancellationToken = default)
    {
        await using var db = await databases.CreateDbContextAsync(cancellationToken);
        return await db.TestResults.AsNoTracking()
            .Where(r => r.RunId == runId && r.FullyQualifiedName == fullyQualifiedName && r.Outcome == TestOutcome.Failed)
            .OrderBy(r => r.Id)
            .Select(r => new FailureText(r.ErrorMessage, r.StackTrace, r.Output))
            .FirstOrDefaultAsync(cancellationToken);
    }
}
