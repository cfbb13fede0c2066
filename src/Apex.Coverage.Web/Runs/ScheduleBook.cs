using System.Text.Json;
using Hangfire;
using Hangfire.Storage;
using Microsoft.Extensions.Options;

namespace Apex.Coverage.Web.Runs;

public sealed class ScheduleException(string message) : Exception(message);

/// <summary>
/// The schedules: those in appsettings.json, with the edits made in the dashboard laid over them
/// (kept in a JSON file beside the database, so an edit outlives a restart even with in-memory job
/// storage). Every change is applied to Hangfire's recurring jobs at once; an invalid cron is refused.
/// </summary>
public sealed class ScheduleBook(
    IOptions<ScheduleOptions> configured,
    IOptions<RunsOptions> runs,
    IHostEnvironment host,
    IRecurringJobManager recurring,
    JobStorage storage)
{
    private readonly SemaphoreSlim _gate = new(1, 1);

    private string EditsPath => Path.GetFullPath(runs.Value.ScheduleEditsPath, host.ContentRootPath);

    public async Task<IReadOnlyList<ScheduleView>> ListAsync(CancellationToken cancellationToken)
    {
        var edits = await ReadEditsAsync(cancellationToken);
        var jobs = storage.GetConnection().GetRecurringJobs().ToDictionary(j => j.Id, StringComparer.OrdinalIgnoreCase);
        return [.. Merge(edits).OrderBy(s => s.Key, StringComparer.OrdinalIgnoreCase).Select(s => new ScheduleView(
            s.Key, s.Value, edits.ContainsKey(s.Key), jobs.GetValueOrDefault(JobId(s.Key))?.NextExecution, jobs.GetValueOrDefault(JobId(s.Key))?.LastExecution))];
    }

    public async Task<ScheduleDefinition?> FindAsync(string name, CancellationToken cancellationToken) =>
        Merge(await ReadEditsAsync(cancellationToken)).GetValueOrDefault(name);

    /// <summary>Registers every schedule; run at start so a bad cron stops the app naming its key.</summary>
    public async Task ApplyAllAsync(CancellationToken cancellationToken)
    {
        foreach (var (name, definition) in Merge(await ReadEditsAsync(cancellationToken)))
        {
            Apply(name, definition);
        }
    }

    public Task UpdateAsync(string name, string cron, bool enabled, CancellationToken cancellationToken) =>
        UpdateAsync(name, cron, enabled, null, cancellationToken);

    /// <summary>Changes a schedule's cron and switch, and its coverage flag when <paramref name="collectCoverage"/> is given.</summary>
    public async Task UpdateAsync(string name, string cron, bool enabled, bool? collectCoverage, CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken);
        try
        {
            var edits = await ReadEditsAsync(cancellationToken);
            var current = Merge(edits).GetValueOrDefault(name) ?? throw new ScheduleException($"There is no schedule '{name}'.");
            var changed = current with { Cron = cron.Trim(), Enabled = enabled, CollectCoverage = collectCoverage ?? current.CollectCoverage };
            Apply(name, changed);
            edits[name] = changed;
            Directory.CreateDirectory(Path.GetDirectoryName(EditsPath)!);
            await File.WriteAllTextAsync(EditsPath, JsonSerializer.Serialize(edits, JsonSerializerOptions.Web), cancellationToken);
        }
        finally
        {
            _gate.Release();
        }
    }

    public void TriggerNow(string name) => recurring.Trigger(JobId(name));

    public static string JobId(string name) => $"schedule:{name.ToLowerInvariant()}";

    private void Apply(string name, ScheduleDefinition definition)
    {
        if (!definition.Enabled)
        {
            recurring.RemoveIfExists(JobId(name));
            return;
        }

        try
        {
            var zone = string.IsNullOrWhiteSpace(definition.TimeZone) ? TimeZoneInfo.Utc : TimeZoneInfo.FindSystemTimeZoneById(definition.TimeZone);
            recurring.AddOrUpdate<ScheduledRunJob>(JobId(name), "default", job => job.StartAsync(name, CancellationToken.None),
                definition.Cron, new RecurringJobOptions { TimeZone = zone });
        }
        catch (Exception error) when (error is ArgumentException or TimeZoneNotFoundException or InvalidTimeZoneException)
        {
            throw new ScheduleException($"Schedules:{name}: '{definition.Cron}' ({definition.TimeZone ?? "UTC"}) is not a valid cron expression and time zone: {error.Message}");
        }
    }

    private Dictionary<string, ScheduleDefinition> Merge(Dictionary<string, ScheduleDefinition> edits)
    {
        var merged = new Dictionary<string, ScheduleDefinition>(configured.Value, StringComparer.OrdinalIgnoreCase);
        foreach (var (name, edit) in edits.Where(e => merged.ContainsKey(e.Key)))
        {
            merged[name] = edit;
        }

        return merged;
    }

    private async Task<Dictionary<string, ScheduleDefinition>> ReadEditsAsync(CancellationToken cancellationToken)
    {
        if (!File.Exists(EditsPath))
        {
            return new(StringComparer.OrdinalIgnoreCase);
        }

        await using var file = File.OpenRead(EditsPath);
        var edits = await JsonSerializer.DeserializeAsync<Dictionary<string, ScheduleDefinition>>(file, JsonSerializerOptions.Web, cancellationToken);
        return new(edits ?? [], StringComparer.OrdinalIgnoreCase);
    }
}
