using System.Net;
using System.Net.Http.Json;
using Apex.Integration.Fakes;
using Apex.Integration.Infrastructure;
using Apex.Platform.Agents;
using Apex.Platform.Agents.Versioning;
using Npgsql;

namespace Apex.Integration.AgentOrchestration;

/// <summary>
/// Agents carry the version of the agent protocol they were built for, and run state documents
/// carry theirs. Loading an agent through the platform's tool registry detects its version: the
/// previous protocol is adapted (a bare result wrapped as the current JSON shape, seen by the model
/// through a real supervisor run), an older or newer one is refused with the reason.
/// </summary>
[PlanItem(42)]
[BusinessValue(
    segment: "All tiers; customers with their own agent plug-ins",
    businessGoal: "Backward compatibility: agents built for the previous platform keep working after an upgrade",
    valueImpact: "$8K MRR",
    strategicImpact: "Smooth upgrades: incompatible agents are refused with a reason before any run can use them")]
public sealed class AgentVersionCompatibilityTests(AgentVersionCompatibilityTests.Host host) : IClassFixture<AgentVersionCompatibilityTests.Host>
{
    private readonly AgentPlatform _agents = host.Agents;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public sealed class Host(PostgresServer postgres, RedisServer redis) : AgentClassHost(postgres, redis)
    {
        protected override string Owner => "agents42";
    }

    [Fact]
    public async Task OlderProtocolAgent_IsAdaptedAndItsResultReachesTheModelInTheCurrentShape()
    {
        var user = await _agents.SignInAsync();
        var loaded = Load<LegacyWordCounter>("legacy_word_counter");
        _agents.Llm.Script(
            _ => LlmReply.Calls("Plan: count the words.", new LlmToolCall("call_count", "legacy_word_counter", """{"text":"the quick brown fox"}""")),
            request => LlmReply.Answer($"Words: {request.ToolResult("call_count")["result"]}"));

        var response = await user.Client.PostAsJsonAsync("api/agents/runs", new { goal = "How many words?" }, Ct);
        var run = (await response.Content.ReadFromJsonAsync<AgentRun>(Ct))!;

        Assert.True(loaded.Loaded, string.Join("; ", loaded.Problems));
        Assert.IsType<Protocol2Adapter>(loaded.Tool!.Agent);
        Assert.Equal(("completed", "Words: 4"), (run.Status, run.Answer));
        Assert.Equal(2, _agents.Llm.Requests[1].ToolResult("call_count")["adaptedFrom"]!.GetValue<int>());
        var report = (await user.Client.GetFromJsonAsync<CompatibilityReport>("api/agents/compatibility", Ct))!;
        Assert.Equal(new ToolProtocol("legacy_word_counter", "1.0.0", 2, true), report.Tools.Single(t => t.Name == "legacy_word_counter"));
        Assert.Equal(new ToolProtocol("list_prices", "1.0.0", AgentProtocol.Current, false), report.Tools.Single(t => t.Name == "list_prices"));
    }

    [Fact]
    public async Task IncompatibleAgents_AreRefusedWithTheReason_AndNeverOfferedToTheModel()
    {
        var user = await _agents.SignInAsync();

        var ancient = Load<AncientSummariser>("ancient_summariser");
        var future = Load<FutureTranslator>("future_translator");
        _agents.Llm.Script(_ => LlmReply.Answer("Nothing to translate."));
        await user.Client.PostAsJsonAsync("api/agents/runs", new { goal = "Translate 'hello'" }, Ct);

        Assert.Equal(["'ancient_summariser' speaks agent protocol 1, which is no longer supported (this platform supports 2 to 3)"], ancient.Problems);
        Assert.Equal(["'future_translator' speaks agent protocol 4, newer than this platform's 3; upgrade the platform to use it"], future.Problems);
        Assert.DoesNotContain("ancient_summariser", _agents.Llm.Requests[0].ToolNames);
        Assert.DoesNotContain("future_translator", _agents.Llm.Requests[0].ToolNames);
        var report = (await user.Client.GetFromJsonAsync<CompatibilityReport>("api/agents/compatibility", Ct))!;
        Assert.Equal((3, 2), (report.CurrentProtocol, report.MinimumProtocol));
        Assert.Contains(report.Refused, r => r.Name == "future_translator" && r.Problems.Single().Contains("newer than this platform", StringComparison.Ordinal));
    }

    [Fact]
    public async Task StateDocuments_CarryTheirVersion_AndOneFromANewerPlatformIsRefusedWithTheReason()
    {
        var user = await _agents.SignInAsync();
        _agents.Llm.Script(_ => LlmReply.Answer("Hello."));
        var run = (await (await user.Client.PostAsJsonAsync("api/agents/runs", new { goal = "Say hello" }, Ct)).Content.ReadFromJsonAsync<AgentRun>(Ct))!;
        var stored = await ScalarAsync("SELECT version FROM agent_states WHERE run_id = $1", run.Id);

        await ScalarAsync("UPDATE agent_runs SET status = 'failed' WHERE id = $1", run.Id);
        await ScalarAsync("""UPDATE agent_states SET version = 3, document = jsonb_set(document, '{version}', '3') WHERE run_id = $1""", run.Id);
        var resume = await user.Client.PostAsync($"api/agents/runs/{run.Id}/resume", null, Ct);

        Assert.Equal(AgentState.CurrentVersion, stored);
        Assert.Equal(HttpStatusCode.Conflict, resume.StatusCode);
        Assert.Contains("version 3, written by a newer platform", await resume.Content.ReadAsStringAsync(Ct), StringComparison.Ordinal);
    }

    private ToolLoadResult Load<T>(string name) where T : ISubAgent =>
        _agents.Service<ToolRegistry>().Load(new ToolManifest(name, "1.0.0", typeof(T).AssemblyQualifiedName), $"test:{name}");

    private async Task<object?> ScalarAsync(string sql, Guid runId)
    {
        await using var command = _agents.Database.CreateCommand(sql);
        command.Parameters.Add(new NpgsqlParameter { Value = runId });
        return await command.ExecuteScalarAsync(Ct);
    }
}
