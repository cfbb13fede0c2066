using System.Threading.Channels;
using Apex.Coverage.Web.CiReports;
using Apex.Coverage.Web.Data;
using Apex.Coverage.Web.Results;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Apex.Coverage.Web.Alerts;

/// <summary>
/// After each run on the default branch ends (executed here or uploaded by CI), judges the
/// coverage report of the default branch's runs (and the dashboard's own) up to it against the stored marks (<see cref="AlertDetector"/>), stores the new marks
/// and one delivery per enabled webhook and change in one transaction, then sends them. Runs end
/// on the recorder's thread; the work is queued here and done on this service's own loop.
/// Deliveries left pending by a stop are sent at the next start.
/// </summary>
public sealed partial class AlertWatcher(
    RunNotifier notifier,
    HistoryAsOf history,
    IDbContextFactory<CoverageDbContext> databases,
    WebhookSender sender,
    IOptions<AlertsOptions> options,
    TimeProvider time,
    ILogger<AlertWatcher> logger) : BackgroundService
{
    private readonly Channel<long> _ended = Channel.CreateUnbounded<long>(new UnboundedChannelOptions { SingleReader = true });

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var subscription = notifier.Subscribe(null, update =>
        {
            if (update.Kind == RunUpdateKind.Ended)
            {
                _ended.Writer.TryWrite(update.RunId);
            }
        });
        await SendPendingAsync(stoppingToken);
        await foreach (var runId in _ended.Reader.ReadAllAsync(stoppingToken))
        {
            try
            {
                foreach (var delivery in await JudgeAsync(runId, stoppingToken))
                {
                    await sender.SendAsync(delivery, stoppingToken);
                }
            }
            catch (Exception error) when (error is not OperationCanceledException)
            {
                LogJudgeFailed(runId, error);
            }
        }
    }

    /// <summary>Judges the report after run <paramref name="runId"/>; answers the deliveries it stored.</summary>
    public async Task<List<long>> JudgeAsync(long runId, CancellationToken cancellationToken)
    {
        await using var db = await databases.CreateDbContextAsync(cancellationToken);
        var run = await db.TestRuns.AsNoTracking().FirstOrDefaultAsync(r => r.Id == runId, cancellationToken);
        // Without a webhook nobody listens: no judgement (and no marks: the first after one is added is a baseline).
        if (run is null || !await db.Webhooks.AnyAsync(w => w.Enabled, cancellationToken) || (run.Branch is { } branch && branch != options.Value.DefaultBranch)
            || await history.ReportAsync(runId, cancellationToken, options.Value.DefaultBranch) is not { } report)
        {
            return [];
        }

        var marks = await db.AlertMarks.ToDictionaryAsync(m => m.Key, StringComparer.Ordinal, cancellationToken);
        var (events, next) = AlertDetector.Judge(marks.ToDictionary(m => m.Key, m => m.Value.Value, StringComparer.Ordinal), report);
        var now = time.GetUtcNow();
        foreach (var (key, value) in next)
        {
            if (!marks.TryGetValue(key, out var mark))
            {
                db.AlertMarks.Add(new AlertMark { Key = key, Value = value, UpdatedAt = now });
            }
            else if (mark.Value != value)
            {
                (mark.Value, mark.UpdatedAt) = (value, now);
            }
        }

        var deliveries = await DeliveriesAsync(db, events, run, options.Value.DashboardUrl, now, cancellationToken);
        await db.SaveChangesAsync(cancellationToken);
        return [.. deliveries.Select(d => d.Id)];
    }

    private static async Task<List<AlertDelivery>> DeliveriesAsync(CoverageDbContext db, List<AlertEvent> events, TestRun run, string? dashboardUrl, DateTimeOffset now, CancellationToken cancellationToken)
    {
        if (events.Count == 0)
        {
            return [];
        }

        var webhooks = await db.Webhooks.AsNoTracking().Where(w => w.Enabled).ToListAsync(cancellationToken);
        var deliveries = (from webhook in webhooks
                          from alert in events
                          select new AlertDelivery
                          {
                              WebhookId = webhook.Id, AlertKey = $"{alert.Kind}:{alert.Subject}@run{run.Id}", Kind = alert.Kind, Title = alert.Title,
                              Body = AlertPayloads.Body(webhook.Format, alert, run.Id, dashboardUrl, now), CreatedAt = now,
                          }).ToList();
        db.AlertDeliveries.AddRange(deliveries);
        return deliveries;
    }

    private async Task SendPendingAsync(CancellationToken cancellationToken)
    {
        await using var db = await databases.CreateDbContextAsync(cancellationToken);
        var pending = await db.AlertDeliveries.Where(d => d.Status == DeliveryStatus.Pending).OrderBy(d => d.Id).Select(d => d.Id).ToListAsync(cancellationToken);
        foreach (var id in pending)
        {
            await sender.SendAsync(id, cancellationToken);
        }
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "Alerts for run {RunId} could not be judged")]
    private partial void LogJudgeFailed(long runId, Exception error);
}
