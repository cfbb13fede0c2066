using Apex.Integration.Infrastructure;
using Apex.Platform.Data.Locks;
using Npgsql;

namespace Apex.Integration.DatabaseCoordination;

/// <summary>
/// Plan item 58: a real deadlock between two transactions is detected by PostgreSQL (40P01) and
/// the victim is re-run to success; lock_timeout turns a long wait into a clear error; the lock
/// monitor names blocked and blocking sessions from pg_locks.
/// </summary>
[PlanItem(58)]
[BusinessValue("All tiers", "Responsive writes under concurrent load",
    "Performance worth $6K MRR responsiveness", "Concurrent edits of shared rows neither hang requests nor lose writes")]
public sealed class LockContentionTests(LockContentionTests.Db db) : IClassFixture<LockContentionTests.Db>
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public sealed class Db(PostgresServer postgres) : ClassDatabase(postgres)
    {
        protected override string Owner => "item58";

        public override async ValueTask InitializeAsync()
        {
            await base.InitializeAsync();
            await ExecuteAsync("CREATE TABLE balances (account text PRIMARY KEY, amount int NOT NULL)");
        }
    }

    [Fact]
    public async Task RunAsync_RetriesTheDeadlockVictim_UntilBothTransfersCommit()
    {
        await db.ExecuteAsync("INSERT INTO balances VALUES ('dl-a', 100), ('dl-b', 100)");
        var retry = new DeadlockRetry(db.DataSource, TimeProvider.System);
        // Both transactions take their first row lock before either asks for its second: a deadlock, every time.
        var bothHoldOne = new CountdownEvent(2);
        var firstLocks = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);

        async Task<int> TransferAsync(NpgsqlConnection connection, string from, string to, int attempt)
        {
            await ExecAsync(connection, $"UPDATE balances SET amount = amount - 10 WHERE account = '{from}'");
            if (attempt == 1 && bothHoldOne.Signal()) firstLocks.SetResult();
            if (attempt == 1) await firstLocks.Task;
            await ExecAsync(connection, $"UPDATE balances SET amount = amount + 10 WHERE account = '{to}'");
            return attempt;
        }

        var outcomes = await Task.WhenAll(
            retry.RunAsync((c, attempt, _) => TransferAsync(c, "dl-a", "dl-b", attempt), Ct),
            retry.RunAsync((c, attempt, _) => TransferAsync(c, "dl-b", "dl-a", attempt), Ct));

        Assert.Single(outcomes, o => o.Attempts == 1 && o.AbortedAttempts.Count == 0);
        var victim = Assert.Single(outcomes, o => o.Attempts == 2);
        Assert.StartsWith("40P01: deadlock detected", Assert.Single(victim.AbortedAttempts), StringComparison.Ordinal);
        Assert.Equal(100, await db.ScalarAsync<int>("SELECT amount FROM balances WHERE account = 'dl-a'"));
        Assert.Equal(200, await db.ScalarAsync<int>("SELECT sum(amount)::int FROM balances WHERE account LIKE 'dl-%'"));
    }

    [Fact]
    public async Task WithLockTimeout_FailsWithAClearError_WhenAnotherTransactionHoldsTheRow_AndChangesNothing()
    {
        await db.ExecuteAsync("INSERT INTO balances VALUES ('lt-a', 50)");
        await using var holder = await db.DataSource.OpenConnectionAsync(Ct);
        await using var held = await holder.BeginTransactionAsync(Ct);
        await ExecAsync(holder, "UPDATE balances SET amount = 0 WHERE account = 'lt-a'");

        var error = await Assert.ThrowsAsync<LockConflictException>(() => db.DataSource.WithLockTimeoutAsync(TimeSpan.FromMilliseconds(200), "Crediting lt-a",
            (c, ct) => ExecAsync(c, "UPDATE balances SET amount = amount + 1 WHERE account = 'lt-a'"), Ct));
        await held.RollbackAsync(Ct);
        var after = await db.DataSource.WithLockTimeoutAsync(TimeSpan.FromMilliseconds(200), "Crediting lt-a",
            (c, ct) => ExecAsync(c, "UPDATE balances SET amount = amount + 1 WHERE account = 'lt-a'"), Ct);

        Assert.Equal("Crediting lt-a waited more than 200 ms for a lock held by another transaction and was abandoned; nothing was changed. Try again shortly.", error.Message);
        Assert.Equal(PostgresErrorCodes.LockNotAvailable, Assert.IsType<PostgresException>(error.InnerException).SqlState);
        Assert.Equal(1, after);
        Assert.Equal(51, await db.ScalarAsync<int>("SELECT amount FROM balances WHERE account = 'lt-a'"));
    }

    [Fact]
    public async Task WaitsAsync_NamesTheBlockedAndTheBlockingSession_AndTheLockBetweenThem()
    {
        await db.ExecuteAsync("INSERT INTO balances VALUES ('mon-a', 5)");
        var builder = new NpgsqlConnectionStringBuilder(db.ConnectionString) { ApplicationName = "billing-writer" };
        await using var holder = new NpgsqlConnection(builder.ConnectionString);
        await holder.OpenAsync(Ct);
        await using var held = await holder.BeginTransactionAsync(Ct);
        await ExecAsync(holder, "LOCK TABLE balances IN EXCLUSIVE MODE");
        builder.ApplicationName = "report-reader";
        await using var waiter = new NpgsqlConnection(builder.ConnectionString);
        await waiter.OpenAsync(Ct);
        var blocked = ExecAsync(waiter, "UPDATE balances SET amount = 6 WHERE account = 'mon-a'");
        var monitor = new LockMonitor(db.DataSource);

        IReadOnlyList<LockWait> waits = [];
        await Eventually.TrueAsync(async () => (waits = await monitor.WaitsAsync(Ct)).Count > 0);
        await held.CommitAsync(Ct);
        await blocked;

        var wait = Assert.Single(waits);
        Assert.Equal((waiter.ProcessID, "report-reader"), (wait.Blocked.Pid, wait.Blocked.ApplicationName));
        Assert.Contains("UPDATE balances SET amount = 6", wait.Blocked.Query, StringComparison.Ordinal);
        Assert.Equal((holder.ProcessID, "billing-writer", "idle in transaction"), (wait.Blocking.Pid, wait.Blocking.ApplicationName, wait.Blocking.State));
        Assert.Equal(("relation", "RowExclusiveLock", "balances"), (wait.LockType, wait.Mode, wait.Relation));
        Assert.Empty(await monitor.WaitsAsync(Ct));
    }

    private static async Task<int> ExecAsync(NpgsqlConnection connection, string sql)
    {
        await using var command = new NpgsqlCommand(sql, connection);
        return await command.ExecuteNonQueryAsync(Ct);
    }
}
