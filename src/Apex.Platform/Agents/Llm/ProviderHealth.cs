using System.Collections.Concurrent;
using Npgsql;

namespace Apex.Platform.Agents.Llm;

public sealed record ProviderEvent(string Provider, string Event, string Reason, DateTimeOffset At);

/// <summary>
/// Which providers may take traffic. A failed provider is out until its Retry-After (or the cool
/// down) has passed and the health checker has seen it answer again; every change is recorded in
/// PostgreSQL, so an operator can see when and why traffic moved.
/// </summary>
public sealed class ProviderHealth(NpgsqlDataSource dataSource, TimeProvider time, ILogger<ProviderHealth> logger)
{
    public const string Schema = """
        CREATE TABLE IF NOT EXISTS agent_provider_events (
            id bigserial PRIMARY KEY,
            provider text NOT NULL,
            event text NOT NULL,
            reason text NOT NULL,
            at timestamptz NOT NULL);
        """;

    private readonly ConcurrentDictionary<string, DateTimeOffset> _outUntil = new(StringComparer.Ordinal);

    public bool IsAvailable(string provider) => !_outUntil.ContainsKey(provider);

    /// <summary>Out, and due for a probe: its Retry-After or cool down has passed.</summary>
    public IReadOnlyList<string> DueForProbe() => [.. _outUntil.Where(pair => pair.Value <= time.GetUtcNow()).Select(pair => pair.Key)];

    public async Task MarkFailedAsync(string provider, string reason, TimeSpan outFor, CancellationToken cancellationToken)
    {
        _outUntil[provider] = time.GetUtcNow() + outFor;
        logger.LogWarning("LLM provider {Provider} taken out of rotation: {Reason}", provider, reason);
        await RecordAsync(provider, "failed", reason, cancellationToken);
    }

    public async Task MarkRecoveredAsync(string provider, CancellationToken cancellationToken)
    {
        if (_outUntil.TryRemove(provider, out _)) await RecordAsync(provider, "recovered", "answered the health check", cancellationToken);
    }

    public async Task RecordFailoverAsync(string from, string to, CancellationToken cancellationToken) =>
        await RecordAsync(to, "served", $"failed over from {from}", cancellationToken);

    public async Task<IReadOnlyList<ProviderEvent>> EventsAsync(CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand("SELECT provider, event, reason, at FROM agent_provider_events ORDER BY id");
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var events = new List<ProviderEvent>();
        while (await reader.ReadAsync(cancellationToken))
        {
            events.Add(new ProviderEvent(reader.GetString(0), reader.GetString(1), reader.GetString(2), reader.GetFieldValue<DateTimeOffset>(3)));
        }

        return events;
    }

    private async Task RecordAsync(string provider, string kind, string reason, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand("INSERT INTO agent_provider_events (provider, event, reason, at) VALUES ($1, $2, $3, $4)");
        foreach (var value in new object[] { provider, kind, reason, time.GetUtcNow() }) command.Parameters.Add(new NpgsqlParameter { Value = value });
        await command.ExecuteNonQueryAsync(cancellationToken);
    }
}
