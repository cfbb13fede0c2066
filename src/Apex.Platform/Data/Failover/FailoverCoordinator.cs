using Npgsql;

namespace Apex.Platform.Data.Failover;

/// <summary>
/// Watches the primary and, after <see cref="FailoverOptions.FailureThreshold"/> consecutive
/// failed probes, promotes the standby, checks that it now accepts writes, and records a
/// <see cref="FailoverEvent"/> in the new primary (table <c>failover_events</c>) and to
/// subscribers. Applications need not be told where to go: they connect with a multi-host
/// connection string and <c>Target Session Attributes=primary</c>, which finds the new primary.
/// A single failed probe never promotes: a standby promoted while the old primary still takes
/// writes is a split brain, far worse than a few seconds of failed writes (ADR 0114).
/// </summary>
public sealed class FailoverCoordinator(FailoverOptions options, IStandbyPromotion promotion, TimeProvider time)
{
    private int _consecutiveFailures;

    public FailoverState State { get; private set; } = FailoverState.Healthy;

    public event Action<FailoverEvent>? FailedOver;

    /// <summary>One probe of the primary; promotes the standby when the threshold is reached.</summary>
    public async Task<FailoverState> CheckAsync(CancellationToken ct)
    {
        if (State == FailoverState.FailedOver) return State;
        var failure = await ProbeAsync(options.PrimaryConnectionString, expectPrimary: true, ct);
        if (failure is null)
        {
            (_consecutiveFailures, State) = (0, FailoverState.Healthy);
            return State;
        }

        State = ++_consecutiveFailures >= options.FailureThreshold ? await FailOverAsync(failure, ct) : FailoverState.Suspect;
        return State;
    }

    private async Task<FailoverState> FailOverAsync(string reason, CancellationToken ct)
    {
        var standbyProblem = await ProbeAsync(options.StandbyConnectionString, expectPrimary: false, ct);
        if (standbyProblem is not null)
        {
            throw new FailoverException($"The primary is down ({reason}) and the standby cannot be promoted: {standbyProblem}");
        }

        await promotion.PromoteAsync(ct);
        var promoted = await ProbeAsync(options.StandbyConnectionString, expectPrimary: true, ct);
        if (promoted is not null) throw new FailoverException($"The standby was promoted but does not accept writes: {promoted}");
        var failover = new FailoverEvent(time.GetUtcNow(), reason, _consecutiveFailures);
        await RecordAsync(failover, ct);
        FailedOver?.Invoke(failover);
        return FailoverState.FailedOver;
    }

    /// <summary>Null when the node answers in the expected role; otherwise what is wrong.</summary>
    private static async Task<string?> ProbeAsync(string connectionString, bool expectPrimary, CancellationToken ct)
    {
        try
        {
            await using var connection = new NpgsqlConnection(connectionString);
            await connection.OpenAsync(ct);
            await using var command = new NpgsqlCommand("SELECT pg_is_in_recovery()", connection);
            var inRecovery = (bool)(await command.ExecuteScalarAsync(ct))!;
            return inRecovery == expectPrimary ? (expectPrimary ? "the node is a standby" : "the node is not a standby") : null;
        }
        catch (Exception e) when (e is NpgsqlException or TimeoutException)
        {
            return e.Message;
        }
    }

    private async Task RecordAsync(FailoverEvent failover, CancellationToken ct)
    {
        await using var connection = new NpgsqlConnection(options.StandbyConnectionString);
        await connection.OpenAsync(ct);
        await using (var create = new NpgsqlCommand(
            "CREATE TABLE IF NOT EXISTS failover_events (at timestamptz NOT NULL, reason text NOT NULL, failed_probes int NOT NULL)", connection))
        {
            await create.ExecuteNonQueryAsync(ct);
        }

        await using var command = new NpgsqlCommand("INSERT INTO failover_events VALUES ($1, $2, $3)", connection);
        command.Parameters.Add(new() { Value = failover.At });
        command.Parameters.Add(new() { Value = failover.Reason });
        command.Parameters.Add(new() { Value = failover.FailedProbes });
        await command.ExecuteNonQueryAsync(ct);
    }
}

/// <summary>How the standby is promoted: by the orchestration in place (pg_ctl promote, an operator API, <c>SELECT pg_promote()</c>).</summary>
public interface IStandbyPromotion
{
    Task PromoteAsync(CancellationToken ct);
}

public sealed record FailoverOptions(string PrimaryConnectionString, string StandbyConnectionString, int FailureThreshold = 3);

public enum FailoverState
{
    Healthy,
    Suspect,
    FailedOver,
}

/// <summary>The notification of a failover: when, why (the last probe's error), after how many failed probes.</summary>
public sealed record FailoverEvent(DateTimeOffset At, string Reason, int FailedProbes);

public sealed class FailoverException(string message) : Exception(message);
