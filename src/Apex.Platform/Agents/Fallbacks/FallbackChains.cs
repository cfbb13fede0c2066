using System.Collections.Concurrent;
using System.ComponentModel.DataAnnotations;
using Microsoft.Extensions.Options;
using Npgsql;

namespace Apex.Platform.Agents.Fallbacks;

public sealed class FallbackOptions
{
    public const string SectionName = "Platform:Agents:Fallbacks";

    /// <summary>Chains by the tool name the model sees: each a list of sub-agents, primary first.</summary>
    public Dictionary<string, List<string>> Chains { get; set; } = new(StringComparer.Ordinal);

    /// <summary>How long a failed member is skipped before the chain tries it again.</summary>
    [Range(typeof(TimeSpan), "00:00:00.001", "1.00:00:00", ErrorMessage = "Platform:Agents:Fallbacks:CoolDown must be between 1 ms and 1 day.")]
    public TimeSpan CoolDown { get; set; } = TimeSpan.FromSeconds(30);
}

public sealed record FallbackEvent(string Chain, string Member, string Event, string Reason, DateTimeOffset At);

/// <summary>
/// A tool that is a chain of sub-agents with the same parameters: it runs the first member that is
/// not cooling down, and on failure the next. A failed member is skipped for the cool down and
/// then tried again first, so the chain returns to its primary when the primary recovers. Every
/// move (fallback, recovery) is recorded in PostgreSQL.
/// </summary>
public sealed class FallbackChainAgent(string name, IReadOnlyList<string> members, ToolRegistry registry, FallbackEvents events, IOptions<FallbackOptions> options, TimeProvider time)
    : ISubAgent
{
    private readonly ConcurrentDictionary<string, DateTimeOffset> _skipUntil = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, bool> _failedBefore = new(StringComparer.Ordinal);

    public string Name => name;

    public string Description => $"{Primary.Description} Falls back through: {string.Join(" -> ", members)}.";

    public IReadOnlyList<ToolParameter> Parameters => Primary.Parameters;

    private ISubAgent Primary => registry.Find(members[0])?.Agent ?? throw new InvalidOperationException($"Chain '{name}' names '{members[0]}', which is not loaded.");

    public async Task<string> RunAsync(ToolArguments arguments, CancellationToken cancellationToken)
    {
        var failures = new List<string>();
        var now = time.GetUtcNow();
        var candidates = members.Where(m => !_skipUntil.TryGetValue(m, out var until) || until <= now).ToList();
        foreach (var member in candidates.Count > 0 ? candidates : [.. members])
        {
            var agent = registry.Find(member)?.Agent;
            try
            {
                var result = agent is null ? throw new InvalidOperationException("not loaded") : await agent.RunAsync(arguments, cancellationToken);
                await RecordSuccessAsync(member, failures, cancellationToken);
                return result;
            }
            catch (Exception exception) when (exception is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
            {
                failures.Add($"{member}: {exception.Message}");
                _skipUntil[member] = time.GetUtcNow() + options.Value.CoolDown;
                _failedBefore[member] = true;
            }
        }

        throw new InvalidOperationException($"Every member of chain '{name}' failed: {string.Join("; ", failures)}.");
    }

    private async Task RecordSuccessAsync(string member, List<string> failures, CancellationToken cancellationToken)
    {
        _skipUntil.TryRemove(member, out _);
        if (_failedBefore.TryRemove(member, out _)) await events.RecordAsync(name, member, "recovered", "answered again after failing", cancellationToken);
        if (member != members[0])
        {
            var reason = failures.Count > 0 ? string.Join("; ", failures) : $"{members[0]} is cooling down";
            await events.RecordAsync(name, member, "fallback", reason, cancellationToken);
        }
    }
}

public sealed class FallbackEvents(NpgsqlDataSource dataSource, TimeProvider time)
{
    public const string Schema = """
        CREATE TABLE IF NOT EXISTS agent_fallback_events (
            id bigserial PRIMARY KEY,
            chain text NOT NULL,
            member text NOT NULL,
            event text NOT NULL,
            reason text NOT NULL,
            at timestamptz NOT NULL);
        """;

    public async Task RecordAsync(string chain, string member, string kind, string reason, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand("INSERT INTO agent_fallback_events (chain, member, event, reason, at) VALUES ($1, $2, $3, $4, $5)");
        foreach (var value in new object[] { chain, member, kind, reason, time.GetUtcNow() }) command.Parameters.Add(new NpgsqlParameter { Value = value });
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    public async Task<IReadOnlyList<FallbackEvent>> ForChainAsync(string chain, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand("SELECT chain, member, event, reason, at FROM agent_fallback_events WHERE chain = $1 ORDER BY id");
        command.Parameters.Add(new NpgsqlParameter { Value = chain });
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var list = new List<FallbackEvent>();
        while (await reader.ReadAsync(cancellationToken))
        {
            list.Add(new FallbackEvent(reader.GetString(0), reader.GetString(1), reader.GetString(2), reader.GetString(3), reader.GetFieldValue<DateTimeOffset>(4)));
        }

        return list;
    }
}

/// <summary>Adds each configured chain to the tool registry at start, as a built-in tool.</summary>
public sealed class FallbackChainLoader(IOptions<FallbackOptions> options, ToolRegistry registry, FallbackEvents events, TimeProvider time) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        foreach (var (name, members) in options.Value.Chains)
        {
            registry.Register(new FallbackChainAgent(name, members, registry, events, options, time), "fallback-chain");
        }

        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
