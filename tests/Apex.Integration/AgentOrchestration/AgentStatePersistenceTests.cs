using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Apex.Integration.Fakes;
using Apex.Integration.Infrastructure;
using Apex.Platform.Agents;
using Microsoft.Extensions.AI;
using Npgsql;

namespace Apex.Integration.AgentOrchestration;

/// <summary>
/// The supervisor checkpoints its state (goal, round, whole conversation with tool calls and
/// results) to PostgreSQL after every LLM round. A run cut short is resumed by a fresh platform
/// instance on the same database without repeating finished tool calls; a state document saved
/// by an older platform (version 1) is upgraded to version 2 on load; one it cannot read is
/// refused with a reason and left as it was.
/// </summary>
[PlanItem(34)]
[BusinessValue(
    segment: "All tiers using AI agents",
    businessGoal: "State recovery: agent runs survive restarts and upgrades",
    valueImpact: "$10K MRR",
    strategicImpact: "No lost or repeated agent work after a deploy or crash; saved state stays readable across platform versions")]
public sealed class AgentStatePersistenceTests(AgentStatePersistenceTests.Host host) : IClassFixture<AgentStatePersistenceTests.Host>
{
    private static readonly Dictionary<string, decimal> CatalogPrices = new() { ["gpt-4o"] = 0.25m };
    private readonly AgentPlatform _agents = host.Agents;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public sealed class Host(PostgresServer postgres, RedisServer redis) : AgentClassHost(postgres, redis)
    {
        protected override string Owner => "agents34";
    }

    [Fact]
    public async Task SaveState_CheckpointsConversationAfterEachRound_WhenRunProgresses()
    {
        var user = await _agents.SignInAsync();
        _agents.Catalog.Reset(CatalogPrices);
        AgentState? afterRoundOne = null;
        _agents.Llm.ScriptAsync(
            _ => Task.FromResult(LlmReply.Calls("Plan: price first.", new LlmToolCall("call_price", "pricing_lookup", """{"model":"gpt-4o"}"""))),
            async _ =>
            {
                var runId = (await _agents.Service<AgentRunStore>().ListAsync(user.User.TenantId, Ct)).Single().Id;
                afterRoundOne = await _agents.Service<AgentStateStore>().LoadAsync(runId, Supervisor.Instructions, Ct);
                return LlmReply.Answer("gpt-4o costs 0.25 per 1k tokens.");
            });

        var run = await StartRunAsync(user, "Price of gpt-4o?");

        Assert.NotNull(afterRoundOne);
        Assert.Equal(1, afterRoundOne.Round);
        Assert.Equal("Price of gpt-4o?", afterRoundOne.Goal);
        Assert.Equal([ChatRole.System, ChatRole.User, ChatRole.Assistant, ChatRole.Tool], afterRoundOne.Messages.Select(m => m.Role));
        var result = Assert.IsType<FunctionResultContent>(Assert.Single(afterRoundOne.Messages[3].Contents));
        Assert.Equal("call_price", result.CallId);
        Assert.Contains("0.25", result.Result?.ToString(), StringComparison.Ordinal);
        await AssertCheckpointAfterRoundTwoAsync(run.Id);
    }

    /// <summary>The stored state is the second checkpoint: round 2, five messages.</summary>
    private async Task AssertCheckpointAfterRoundTwoAsync(Guid runId)
    {
        var (version, document) = await StoredStateAsync(runId);
        Assert.Equal(2, version);
        Assert.Equal((2, 2), (document["version"]!.GetValue<int>(), document["round"]!.GetValue<int>()));
        Assert.Equal(5, document["messages"]!.AsArray().Count);
    }

    [Fact]
    public async Task ResumeRun_ContinuesFromSavedStateInFreshInstance_WhenProviderFailedMidRun()
    {
        var user = await _agents.SignInAsync();
        _agents.Catalog.Reset(CatalogPrices);
        // Round two finds the script used up: the provider answers 500 and the run fails there.
        _agents.Llm.Script(_ => LlmReply.Calls("Plan: price, then cost.", new LlmToolCall("call_price", "pricing_lookup", """{"model":"gpt-4o"}""")));
        var failed = await StartRunAsync(user, "Cost of 8k gpt-4o tokens?", HttpStatusCode.BadGateway);
        Assert.Equal("failed", (await _agents.Service<AgentRunStore>().FindAsync(user.User.TenantId, failed.Id, Ct))!.Status);

        var restarted = await _agents.StartInstanceAsync();
        _agents.Llm.Script(
            request => LlmReply.Calls(null, new LlmToolCall("call_cost", "cost_calculator",
                $$"""{"tokens":8000,"pricePer1kTokens":{{request.ToolResult("call_price")["pricePer1kTokens"]}}}""")),
            request => LlmReply.Answer($"Cost: {request.ToolResult("call_cost")["cost"]}"));
        var response = await _agents.ClientFor(restarted, user.Token).PostAsync($"api/agents/runs/{failed.Id}/resume", null, Ct);

        Assert.True(response.StatusCode == HttpStatusCode.OK, $"{await response.Content.ReadAsStringAsync(Ct)}\n{restarted.Errors}");
        var run = (await response.Content.ReadFromJsonAsync<AgentRun>(Ct))!;
        Assert.Equal(("completed", "Cost: 2.00"), (run.Status, run.Answer));
        Assert.Equal(["plan", "tool_call", "tool_result", "error", "resumed", "tool_call", "tool_result", "answer"], run.Steps.Select(s => s.Kind));
        Assert.Equal(1, _agents.Catalog.Requests);
        Assert.Equal(["system", "user", "assistant", "tool"], _agents.Llm.Requests[0].Messages.Select(m => m["role"]!.GetValue<string>()));
        Assert.Contains("Cost of 8k gpt-4o tokens?", _agents.Llm.Requests[0].Messages[1].ToJsonString(), StringComparison.Ordinal);
        Assert.Equal(3, (await StoredStateAsync(run.Id)).Document["round"]!.GetValue<int>());
    }

    [Fact]
    public async Task ResumeRun_UpgradesVersion1StateToVersion2_WhenStateWasSavedByOlderPlatform()
    {
        var user = await _agents.SignInAsync();
        var runId = await InterruptedRunAsync(user, "Price of gpt-4o?", 1, """
            {"version":1,"goal":"Price of gpt-4o?","steps":1,"transcript":[
              {"role":"user","text":"Price of gpt-4o?"},
              {"role":"assistant","text":"Plan: look the price up."},
              {"role":"tool","tool":"pricing_lookup","text":"{\"model\":\"gpt-4o\",\"pricePer1kTokens\":0.25}"}]}
            """);
        _agents.Llm.Script(_ => LlmReply.Answer("gpt-4o costs 0.25 per 1k tokens."));

        var response = await user.Client.PostAsync($"api/agents/runs/{runId}/resume", null, Ct);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("completed", (await response.Content.ReadFromJsonAsync<AgentRun>(Ct))!.Status);
        var sent = _agents.Llm.Requests.Single().Messages;
        Assert.Equal(["system", "user", "assistant", "user"], sent.Select(m => m["role"]!.GetValue<string>()));
        Assert.Contains("You are the Apex supervisor", sent[0].ToJsonString(), StringComparison.Ordinal);
        Assert.Contains("[result of tool pricing_lookup]", sent[3].ToJsonString(), StringComparison.Ordinal);
        var (version, document) = await StoredStateAsync(runId);
        Assert.Equal((2, 2), (version, document["version"]!.GetValue<int>()));
        Assert.Equal(2, document["round"]!.GetValue<int>());
        Assert.Null(document["transcript"]);
        Assert.Equal(5, document["messages"]!.AsArray().Count);
    }

    [Theory]
    [InlineData(3, """{"version":3,"goal":"g","round":1,"memory":{}}""", "version 3, written by a newer platform")]
    [InlineData(2, """{"version":2,"goal":"g","round":1,"messages":"not a list"}""", "(version 2) is damaged")]
    [InlineData(1, """{"version":1,"steps":1,"transcript":[]}""", "(version 1) has no goal")]
    [InlineData(1, """{"version":1,"goal":"g","transcript":[{"role":"robot","text":"beep"}]}""", "role 'robot'")]
    [InlineData(0, """{"goal":"g","round":1}""", "has no valid version")]
    public async Task ResumeRun_IsRefusedAndStateKept_WhenSavedStateIsUnreadable(int storedVersion, string document, string reason)
    {
        var user = await _agents.SignInAsync();
        var runId = await InterruptedRunAsync(user, "g", storedVersion, document);
        _agents.Llm.Script();

        var response = await user.Client.PostAsync($"api/agents/runs/{runId}/resume", null, Ct);

        Assert.Equal(HttpStatusCode.Conflict, response.StatusCode);
        Assert.Contains(reason, (await response.Content.ReadFromJsonAsync<JsonObject>(Ct))!["detail"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Empty(_agents.Llm.Requests);
        Assert.Equal(storedVersion, (await StoredStateAsync(runId)).Version);
        Assert.Equal("failed", (await _agents.Service<AgentRunStore>().FindAsync(user.User.TenantId, runId, Ct))!.Status);
    }

    [Fact]
    public async Task ResumeRun_IsRefused_WhenRunIsCompletedOrBelongsToAnotherTenant()
    {
        var owner = await _agents.SignInAsync();
        var stranger = await _agents.SignInAsync();
        _agents.Llm.Script(_ => LlmReply.Answer("Done."));
        var run = await StartRunAsync(owner, "Say hello");

        var completed = await owner.Client.PostAsync($"api/agents/runs/{run.Id}/resume", null, Ct);
        var foreign = await stranger.Client.PostAsync($"api/agents/runs/{run.Id}/resume", null, Ct);
        var anonymous = await _agents.Instance.Client.PostAsync($"api/agents/runs/{run.Id}/resume", null, Ct);

        Assert.Equal(HttpStatusCode.Conflict, completed.StatusCode);
        Assert.Contains("already completed", await completed.Content.ReadAsStringAsync(Ct), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.NotFound, foreign.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, anonymous.StatusCode);
        Assert.Single(_agents.Llm.Requests);
    }

    private async Task<AgentRun> StartRunAsync(SignedIn user, string goal, HttpStatusCode expected = HttpStatusCode.Created)
    {
        var response = await user.Client.PostAsJsonAsync("api/agents/runs", new { goal }, Ct);
        Assert.Equal(expected, response.StatusCode);
        var body = (await response.Content.ReadFromJsonAsync<JsonObject>(Ct))!;
        var id = Guid.Parse((body["id"] ?? body["runId"])!.GetValue<string>());
        return (await _agents.Service<AgentRunStore>().FindAsync(user.User.TenantId, id, Ct))!;
    }

    /// <summary>A failed run whose saved state is <paramref name="document"/>, as an older or newer platform left it.</summary>
    private async Task<Guid> InterruptedRunAsync(SignedIn user, string goal, int version, string document)
    {
        var store = _agents.Service<AgentRunStore>();
        var runId = await store.StartAsync(user.User, goal, Ct);
        await store.FinishAsync(runId, "failed", null, Ct);
        await using var command = _agents.Database.CreateCommand(
            "INSERT INTO agent_states (run_id, version, document, saved_at) VALUES ($1, $2, $3::jsonb, now())");
        command.Parameters.Add(new NpgsqlParameter { Value = runId });
        command.Parameters.Add(new NpgsqlParameter { Value = version });
        command.Parameters.Add(new NpgsqlParameter { Value = document });
        await command.ExecuteNonQueryAsync(Ct);
        return runId;
    }

    private async Task<(int Version, JsonObject Document)> StoredStateAsync(Guid runId)
    {
        await using var command = _agents.Database.CreateCommand("SELECT version, document::text FROM agent_states WHERE run_id = $1");
        command.Parameters.Add(new NpgsqlParameter { Value = runId });
        await using var reader = await command.ExecuteReaderAsync(Ct);
        Assert.True(await reader.ReadAsync(Ct), $"No state saved for run {runId}.");
        return (reader.GetInt32(0), JsonNode.Parse(reader.GetString(1))!.AsObject());
    }
}
