using System.Net.Http.Json;
using Apex.Integration.Fakes;
using Apex.Integration.Infrastructure;
using Apex.Platform.Agents;
using Apex.Platform.Agents.Audit;
using Npgsql;

namespace Apex.Integration.AgentOrchestration;

/// <summary>
/// Every action of an agent run (started, each step, finished) lands in the audit trail in
/// PostgreSQL, written by the database's triggers in the same transaction as the action. The trail
/// refuses UPDATE, DELETE and TRUNCATE, and is hash-chained per tenant: an entry altered behind the
/// triggers' back (as a superuser could) is found by verification. Queried by run, tenant and time,
/// and summarised in a report, over the platform's API.
/// </summary>
[PlanItem(45)]
[BusinessValue(
    segment: "Enterprise and regulated customers",
    businessGoal: "Compliance: a complete, tamper-evident record of what every agent did",
    valueImpact: "$9K MRR",
    strategicImpact: "Audit requirements: who did what, when, provably unaltered, per tenant")]
public sealed class AgentAuditTrailTests(AgentAuditTrailTests.Host host) : IClassFixture<AgentAuditTrailTests.Host>
{
    private readonly AgentPlatform _agents = host.Agents;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public sealed class Host(PostgresServer postgres, RedisServer redis) : AgentClassHost(postgres, redis)
    {
        protected override string Owner => "agents45";
    }

    [Fact]
    public async Task EveryRunAction_IsAppendedInOrder_AndQueryableByRun()
    {
        var user = await _agents.SignInAsync();
        var run = await RunPricedGoalAsync(user);
        var other = await RunPricedGoalAsync(user);

        var entries = (await user.Client.GetFromJsonAsync<List<AuditEntry>>($"api/agents/audit?runId={run.Id}", Ct))!;

        Assert.Equal(["run.started", "step.plan", "step.tool_call", "step.tool_result", "step.answer", "run.completed"], entries.Select(e => e.Action));
        Assert.Equal([$"user:{user.User.UserId}", "supervisor", "tool:list_prices", "tool:list_prices", "supervisor", "supervisor"], entries.Select(e => e.Actor));
        Assert.All(entries, e => Assert.Equal((run.Id, user.User.TenantId), (e.RunId!.Value, e.TenantId)));
        Assert.Equal("The list price is 0.30.", entries[^1].Detail);
        Assert.Equal(12, (await user.Client.GetFromJsonAsync<List<AuditEntry>>("api/agents/audit", Ct))!.Count);
        Assert.NotEqual(run.Id, other.Id);
    }

    [Fact]
    public async Task Trail_IsTenantScopedAndFilteredByTime_AndTheReportSummarisesIt()
    {
        var user = await _agents.SignInAsync();
        var stranger = await _agents.SignInAsync();
        await RunPricedGoalAsync(user);
        var entries = (await user.Client.GetFromJsonAsync<List<AuditEntry>>("api/agents/audit", Ct))!;
        var cut = entries[3].At;

        var before = (await user.Client.GetFromJsonAsync<List<AuditEntry>>($"api/agents/audit?to={Uri.EscapeDataString(cut.ToString("O"))}", Ct))!;
        var after = (await user.Client.GetFromJsonAsync<List<AuditEntry>>($"api/agents/audit?from={Uri.EscapeDataString(cut.ToString("O"))}", Ct))!;
        var report = (await user.Client.GetFromJsonAsync<AuditReport>("api/agents/audit/report", Ct))!;

        Assert.Empty((await stranger.Client.GetFromJsonAsync<List<AuditEntry>>("api/agents/audit", Ct))!);
        Assert.Equal(entries.Select(e => e.Seq), before.Concat(after).Select(e => e.Seq));
        Assert.All(before, e => Assert.True(e.At < cut));
        Assert.Equal((6, 1, true), (report.Entries, report.Runs, report.Chain.Intact));
        Assert.Equal(2, report.ByAction["step.tool_call"] + report.ByAction["step.tool_result"]);
        Assert.Equal(2, report.ByActor["tool:list_prices"]);
        Assert.Equal(entries[^1].Hash, report.Chain.HeadHash);
    }

    [Theory]
    [InlineData("UPDATE agent_audit SET detail = 'nothing happened' WHERE tenant_id = $1", "UPDATE")]
    [InlineData("DELETE FROM agent_audit WHERE tenant_id = $1", "DELETE")]
    [InlineData("TRUNCATE agent_audit", "TRUNCATE")]
    public async Task Trail_RefusesChanges_WhenAnyoneTriesToRewriteIt(string sql, string operation)
    {
        var user = await _agents.SignInAsync();
        await RunPricedGoalAsync(user);

        var refused = await Assert.ThrowsAsync<PostgresException>(() => ExecuteAsync(sql, user.User.TenantId, bypassTriggers: false));

        Assert.Equal($"agent_audit is append-only: {operation} is refused", refused.MessageText);
        Assert.Equal(6, (await _agents.Service<AgentAuditLog>().QueryAsync(new AuditQuery(user.User.TenantId), Ct)).Count);
    }

    [Fact]
    public async Task Verification_FindsTheAlteredEntry_WhenASuperuserEditsTheTrailBehindTheTriggers()
    {
        var user = await _agents.SignInAsync();
        var log = _agents.Service<AgentAuditLog>();
        await RunPricedGoalAsync(user);
        var entries = await log.QueryAsync(new AuditQuery(user.User.TenantId), Ct);
        Assert.True((await log.VerifyAsync(user.User.TenantId, Ct)).Intact);

        await ExecuteAsync($"UPDATE agent_audit SET detail = 'The list price is 0.01.' WHERE seq = {entries[^1].Seq} AND tenant_id = $1", user.User.TenantId, bypassTriggers: true);
        var edited = await log.VerifyAsync(user.User.TenantId, Ct);
        await ExecuteAsync($"DELETE FROM agent_audit WHERE seq = {entries[2].Seq} AND tenant_id = $1", user.User.TenantId, bypassTriggers: true);
        var removed = await log.VerifyAsync(user.User.TenantId, Ct);

        Assert.Equal((false, entries[^1].Seq), (edited.Intact, edited.BrokenAt));
        Assert.Contains("its hash does not match its contents", edited.Reason, StringComparison.Ordinal);
        Assert.Equal((false, entries[3].Seq), (removed.Intact, removed.BrokenAt));
        Assert.Contains("does not link to the previous entry's hash", removed.Reason, StringComparison.Ordinal);
        Assert.False((await user.Client.GetFromJsonAsync<AuditReport>("api/agents/audit/report", Ct))!.Chain.Intact);
    }

    [Fact]
    public async Task ConcurrentAppends_KeepTheChainIntact_WhenManyActionsArriveAtOnce()
    {
        var user = await _agents.SignInAsync();
        var log = _agents.Service<AgentAuditLog>();

        await Task.WhenAll(Enumerable.Range(0, 24).Select(i => log.AppendAsync(user.User.TenantId, null, "operator", "config.applied", $"change {i}", Ct)));

        var verification = await log.VerifyAsync(user.User.TenantId, Ct);
        Assert.Equal((true, 24), (verification.Intact, verification.Entries));
    }

    private async Task<AgentRun> RunPricedGoalAsync(SignedIn user)
    {
        _agents.Llm.Script(
            _ => LlmReply.Calls("Plan: list price.", new LlmToolCall("call_list", "list_prices", """{"model":"gpt-4o"}""")),
            request => LlmReply.Answer($"The list price is {request.ToolResult("call_list")["pricePer1kTokens"]}."));
        var response = await user.Client.PostAsJsonAsync("api/agents/runs", new { goal = "List price of gpt-4o?" }, Ct);
        return (await response.Content.ReadFromJsonAsync<AgentRun>(Ct))!;
    }

    // The test connects as the database superuser: session_replication_role = replica is how such a
    // user would slip past ordinary triggers, which is exactly what the hash chain must expose.
    private async Task ExecuteAsync(string sql, Guid tenantId, bool bypassTriggers)
    {
        await using var connection = await _agents.Database.OpenConnectionAsync(Ct);
        if (bypassTriggers)
        {
            await using var replica = new NpgsqlCommand("SET session_replication_role = replica", connection);
            await replica.ExecuteNonQueryAsync(Ct);
        }

        try
        {
            await using var command = new NpgsqlCommand(sql, connection);
            if (sql.Contains("$1", StringComparison.Ordinal)) command.Parameters.Add(new NpgsqlParameter { Value = tenantId });
            await command.ExecuteNonQueryAsync(Ct);
        }
        finally
        {
            if (bypassTriggers)
            {
                await using var reset = new NpgsqlCommand("RESET session_replication_role", connection);
                await reset.ExecuteNonQueryAsync(Ct);
            }
        }
    }
}
