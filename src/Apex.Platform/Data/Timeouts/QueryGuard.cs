using System.Globalization;
using Npgsql;

namespace Apex.Platform.Data.Timeouts;

/// <summary>
/// Runs a query under a server-side <c>statement_timeout</c>, so PostgreSQL itself stops a query
/// that runs too long, and turns every way a query can be stopped — the statement timeout, the
/// client's command timeout, a cancel by the runaway-query killer — into one clear
/// <see cref="QueryAbortedException"/>. The connection goes back to the pool usable: the
/// timeout is reset before it is returned.
/// </summary>
public sealed class QueryGuard(NpgsqlDataSource dataSource)
{
    public async Task<T> RunAsync<T>(string name, TimeSpan timeout, Func<NpgsqlConnection, CancellationToken, Task<T>> query, CancellationToken ct)
    {
        await using var connection = await dataSource.OpenConnectionAsync(ct);
        await SetAsync(connection, ((long)timeout.TotalMilliseconds).ToString(CultureInfo.InvariantCulture), ct);
        try
        {
            return await query(connection, ct);
        }
        catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.QueryCanceled)
        {
            var reason = e.MessageText.Contains("statement timeout", StringComparison.Ordinal) ? QueryAbortReason.Timeout : QueryAbortReason.Cancelled;
            throw new QueryAbortedException(name, reason, reason == QueryAbortReason.Timeout
                ? $"{name} ran longer than its limit of {timeout.TotalMilliseconds:0} ms and was stopped by the database. Narrow the query or try again later."
                : $"{name} was cancelled by the database operator or the runaway-query monitor.", e);
        }
        catch (NpgsqlException e) when (e.InnerException is TimeoutException)
        {
            throw new QueryAbortedException(name, QueryAbortReason.Timeout,
                $"{name} got no answer within the command timeout and was cancelled. Narrow the query or try again later.", e);
        }
        finally
        {
            if (connection.State == System.Data.ConnectionState.Open) await SetAsync(connection, "DEFAULT", CancellationToken.None);
        }
    }

    private static async Task SetAsync(NpgsqlConnection connection, string value, CancellationToken ct)
    {
        await using var command = new NpgsqlCommand($"SET statement_timeout = {value}", connection);
        await command.ExecuteNonQueryAsync(ct);
    }
}

public enum QueryAbortReason
{
    Timeout,
    Cancelled,
}

/// <summary>A query stopped before it finished; <see cref="Exception.Message"/> is fit for the caller.</summary>
public sealed class QueryAbortedException(string query, QueryAbortReason reason, string message, Exception inner) : Exception(message, inner)
{
    public string Query { get; } = query;

    public QueryAbortReason Reason { get; } = reason;
}
