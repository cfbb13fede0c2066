using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Apex.Integration.Fakes;
using Apex.Integration.Infrastructure;
using Apex.Platform.Agents;
using Apex.Platform.Agents.Context;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;

namespace Apex.Integration.AgentOrchestration;

/// <summary>
/// Token counts come from the real o200k_base tokenizer the platform ships (Microsoft.ML.Tokenizers).
/// The model here has a 800-token window with 100 kept for the answer; a run whose tool results
/// outgrow it has its oldest tool round dropped before the call leaves (instructions, goal and the
/// latest round are kept), and what was dropped is recorded for the run. A goal that cannot fit
/// at all fails the run with the figures, and the provider is never called.
/// </summary>
[PlanItem(47)]
[BusinessValue(
    segment: "All tiers using AI agents",
    businessGoal: "Token optimisation: long agent runs stay within the model's window and budget",
    valueImpact: "$8K MRR",
    strategicImpact: "Cost efficiency: no failed calls for oversized prompts, and every trimmed part is accounted for")]
public sealed class AgentContextWindowTests(AgentContextWindowTests.Host host) : IClassFixture<AgentContextWindowTests.Host>
{
    private readonly AgentPlatform _agents = host.Agents;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public sealed class Host(PostgresServer postgres, RedisServer redis) : AgentClassHost(postgres, redis)
    {
        protected override string Owner => "agents47";

        protected override IReadOnlyDictionary<string, string?> Settings => new Dictionary<string, string?>
        {
            [$"Platform:Agents:Context:Windows:{FakeLlmProvider.Model}"] = "800",
            ["Platform:Agents:Context:ReservedForOutput"] = "100",
        };

        protected override void AddServices(IServiceCollection services) => services.AddSingleton<ISubAgent, DocumentFetcher>();
    }

    [Theory]
    [InlineData("hello world", 2)]
    [InlineData("Hello, world!", 4)]
    [InlineData("", 0)]
    public void Count_UsesTheModelTokenizer_PlusTheMessageFraming(string text, int tokens)
    {
        var manager = _agents.Service<ContextWindowManager>();

        Assert.Equal(4 + tokens, manager.Count(new ChatMessage(ChatRole.User, text)));
        Assert.Equal(800, manager.WindowOf(FakeLlmProvider.Model));
        Assert.Equal(128_000, manager.WindowOf("some-other-model"));
    }

    [Fact]
    public async Task Run_DropsTheOldestToolRoundAndRecordsIt_WhenTheConversationOutgrowsTheWindow()
    {
        var user = await _agents.SignInAsync();
        _agents.Llm.Script(
            _ => LlmReply.Calls("Read three documents.", Fetch("call_1")),
            _ => LlmReply.Calls(null, Fetch("call_2")),
            _ => LlmReply.Calls(null, Fetch("call_3")),
            _ => LlmReply.Answer("Read all three."));

        var run = (await (await user.Client.PostAsJsonAsync("api/agents/runs", new { goal = "Summarise the documents" }, Ct)).Content.ReadFromJsonAsync<AgentRun>(Ct))!;
        var trims = (await user.Client.GetFromJsonAsync<List<ContextTrim>>($"api/agents/runs/{run.Id}/context", Ct))!;

        Assert.Equal(("completed", "Read all three."), (run.Status, run.Answer));
        var last = _agents.Llm.Requests[3];
        Assert.Equal(["system", "user", "assistant", "tool", "assistant", "tool"], last.Messages.Select(m => m["role"]!.GetValue<string>()));
        Assert.Null(last.ToolMessage("call_1"));
        Assert.NotNull(last.ToolMessage("call_3"));
        Assert.Equal(6, _agents.Llm.Requests[2].Messages.Count);
        var trim = Assert.Single(trims);
        Assert.Equal((FakeLlmProvider.Model, 700), (trim.Model, trim.Budget));
        Assert.InRange(trim.TokensAfter, 1, 700);
        Assert.True(trim.TokensBefore > 700);
        var dropped = Assert.Single(trim.Dropped);
        Assert.Equal(("tool_round", 2), (dropped.Kind, dropped.Messages));
        Assert.Equal(trim.TokensBefore - trim.TokensAfter, dropped.Tokens);
        Assert.Contains("fetch_document(", dropped.Preview, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Run_FailsWithTheFiguresAndNeverCallsTheProvider_WhenTheGoalAloneExceedsTheWindow()
    {
        var user = await _agents.SignInAsync();
        _agents.Llm.Script(_ => LlmReply.Answer("unreachable"));

        var response = await user.Client.PostAsJsonAsync("api/agents/runs", new { goal = string.Join(' ', Enumerable.Repeat("alpha", 900)) }, Ct);

        Assert.Equal(HttpStatusCode.BadGateway, response.StatusCode);
        var detail = JsonNode.Parse(await response.Content.ReadAsStringAsync(Ct))!["detail"]!.GetValue<string>();
        Assert.Contains("even without its optional parts; fake-gpt allows 700 (800 minus 100 kept for the answer)", detail, StringComparison.Ordinal);
        Assert.Empty(_agents.Llm.Requests);
    }

    private static LlmToolCall Fetch(string id) => new(id, "fetch_document", """{"words":250}""");
}
