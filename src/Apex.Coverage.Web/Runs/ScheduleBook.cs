using System.Text.Json;
using System.Text.RegularExpressions;
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
public sealed partial class ScheduleBook(
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

        foreach (var (name, _) in (await ReadEditsAsync(cancellationToken)).Where(e => e.Value.Removed))
        {
            recurring.RemoveIfExists(JobId(name));
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
            await WriteEditsAsync(edits, cancellationToken);
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>Adds a schedule made on the page; its name must be new, its cron and time zone valid.</summary>
    /// <exception cref="ScheduleException">The name is taken or malformed, or the cron or time zone is invalid.</exception>
    public async Task AddAsync(string name, ScheduleDefinition definition, CancellationToken cancellationToken)
    {
        name = name.Trim();
        if (!ValidName().IsMatch(name))
        {
            throw new ScheduleException("A schedule's name is 1 to 60 letters, digits, spaces, dots, dashes or underscores, starting with a letter or digit.");
        }

        await _gate.WaitAsync(cancellationToken);
        try
        {
            var edits = await ReadEditsAsync(cancellationToken);
            if (Merge(edits).ContainsKey(name))
            {
                throw new ScheduleException($"There is already a schedule named '{name}'.");
            }

            var added = definition with { Cron = definition.Cron.Trim(), Added = true, Removed = false };
            Apply(name, added);
            edits[name] = added;
            await WriteEditsAsync(edits, cancellationToken);
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>Removes a schedule and its recurring job: one added here is forgotten, a configured one is marked removed.</summary>
    public async Task RemoveAsync(string name, CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken);
        try
        {
            var edits = await ReadEditsAsync(cancellationToken);
            var current = Merge(edits).GetValueOrDefault(name) ?? throw new ScheduleException($"There is no schedule '{name}'.");
            recurring.RemoveIfExists(JobId(name));
            if (current.Added)
            {
                edits.Remove(name);
            }
            else
            {
                edits[name] = current with { Removed = true, Enabled = false };
            }

            await WriteEditsAsync(edits, cancellationToken);
        }
        finally
        {
            _gate.Release();
        }
    }

    public void TriggerNow(string name) => recurring.Trigger(JobId(name));

    public static string JobId(string name) => $"schedule:{name.ToLowerInvariant()}";

    // Hangfire parses the cron when the job is registered; a switched-off schedule is registered and
    // removed again, so its cron is checked too (it would fail only when switched back on).
    private void Apply(string name, ScheduleDefinition definition)
    {
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

        if (!definition.Enabled)
        {
            recurring.RemoveIfExists(JobId(name));
        }
    }

    private Dictionary<string, ScheduleDefinition> Merge(Dictionary<string, ScheduleDefinition> edits)
    {
        var merged = new Dictionary<string, ScheduleDefinition>(configured.Value, StringComparer.OrdinalIgnoreCase);
        foreach (var (name, edit) in edits.Where(e => merged.ContainsKey(e.Key) || e.Value.Added))
        {
            merged[name] = edit;
        }

        return merged.Where(s => !s.Value.Removed).ToDictionary(StringComparer.OrdinalIgnoreCase);
    }

    private async Task WriteEditsAsync(Dictionary<string, ScheduleDefinition> edits, CancellationToken cancellationToken)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(EditsPath)!);
        await File.WriteAllTextAsync(EditsPath, JsonSerializer.Serialize(edits, JsonSerializerOptions.Web), cancellationToken);
    }

    [GeneratedRegex(@"^[A-Za-z0-9][A-Za-z0-9 ._-]{0,59}$")]
    private static partial Regex ValidName();

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
