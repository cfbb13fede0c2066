using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Apex.Integration.Fakes;
using Apex.Integration.Infrastructure;
using Apex.Platform.Agents;
using Apex.Platform.Agents.Quality;

namespace Apex.Integration.AgentOrchestration;

/// <summary>
/// A run's final answer passes the platform's quality gate: a JSON schema, required fields and
/// banned content. A failing answer goes back to the model (the fake provider) with the
/// validator's reasons; a fixed answer completes the run; an answer still failing after the last
/// attempt refuses the run. Every verdict is stored per run.
/// </summary>
[PlanItem(49)]
[BusinessValue(
    segment: "All tiers; customers integrating agent output into their systems",
    businessGoal: "Output quality: only answers that meet the contract reach the customer",
    valueImpact: "$11K MRR",
    strategicImpact: "Value delivery: malformed or unsafe output is corrected by the model or refused, never delivered")]
public sealed class AgentQualityGateTests(AgentQualityGateTests.Host host) : IClassFixture<AgentQualityGateTests.Host>
{
    private const string Valid = """{"model":"gpt-4o","pricePer1kTokens":0.3}""";
    private readonly AgentPlatform _agents = host.Agents;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public sealed class Host(PostgresServer postgres, RedisServer redis) : AgentClassHost(postgres, redis)
    {
        protected override string Owner => "agents49";

        protected override IReadOnlyDictionary<string, string?> Settings => new Dictionary<string, string?>
        {
            ["Platform:Agents:Quality:Schema"] = """
                {"type":"object","properties":{"model":{"type":"string"},"pricePer1kTokens":{"type":"number","minimum":0}},"required":["model","pricePer1kTokens"]}
                """,
            ["Platform:Agents:Quality:RequiredFields:0"] = "model",
            ["Platform:Agents:Quality:BannedPhrases:0"] = "as an AI",
            ["Platform:Agents:Quality:MaxAttempts"] = "2",
        };
    }

    [Fact]
    public async Task ValidAnswer_PassesTheGateFirstTime_AndTheVerdictIsRecorded()
    {
        var user = await _agents.SignInAsync();
        _agents.Llm.Script(_ => LlmReply.Answer(Valid));

        var response = await StartAsync(user);
        var run = (await response.Content.ReadFromJsonAsync<AgentRun>(Ct))!;

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        Assert.Equal(Valid, run.Answer);
        var verdict = Assert.Single(await QualityAsync(user, run.Id));
        Assert.Equal((1, true), (verdict.Attempt, verdict.Passed));
    }

    [Fact]
    public async Task FailingAnswer_IsSentBackWithTheValidatorsFeedback_AndTheFixedAnswerCompletesTheRun()
    {
        var user = await _agents.SignInAsync();
        _agents.Llm.Script(_ => LlmReply.Answer("As an AI, I think it costs 0.30."), _ => LlmReply.Answer(Valid));

        var run = (await (await StartAsync(user)).Content.ReadFromJsonAsync<AgentRun>(Ct))!;

        Assert.Equal(("completed", Valid), (run.Status, run.Answer));
        var feedback = _agents.Llm.Requests[1].Messages[^1];
        Assert.Equal("user", feedback["role"]!.GetValue<string>());
        var text = feedback["content"] is JsonArray parts ? parts[0]!["text"]!.GetValue<string>() : feedback["content"]!.GetValue<string>();
        Assert.StartsWith("Your answer was refused by the quality gate: it contains the banned phrase 'as an AI'; it is not valid JSON", text, StringComparison.Ordinal);
        Assert.Equal(["quality_refused", "answer"], run.Steps.Select(s => s.Kind));
        Assert.Equal([false, true], (await QualityAsync(user, run.Id)).Select(v => v.Passed));
    }

    [Fact]
    public async Task AnswerStillFailingAfterTheLastAttempt_RefusesTheRun_WithEveryFailureNamed()
    {
        var user = await _agents.SignInAsync();
        const string bad = """{"model":"","pricePer1kTokens":-1}""";
        _agents.Llm.Script(_ => LlmReply.Answer(bad), _ => LlmReply.Answer(bad));

        var response = await StartAsync(user);

        Assert.Equal(HttpStatusCode.UnprocessableContent, response.StatusCode);
        var problem = JsonNode.Parse(await response.Content.ReadAsStringAsync(Ct))!;
        Assert.Equal("refused", problem["runStatus"]!.GetValue<string>());
        var runId = problem["runId"]!.GetValue<Guid>();
        var verdicts = await QualityAsync(user, runId);
        Assert.Equal([false, false], verdicts.Select(v => v.Passed));
        Assert.Contains("the required field 'model' is missing or empty", verdicts[1].Failures);
        Assert.Contains(verdicts[1].Failures, f => f.StartsWith("schema: /pricePer1kTokens", StringComparison.Ordinal));
        var stored = (await user.Client.GetFromJsonAsync<AgentRun>($"api/agents/runs/{runId}", Ct))!;
        Assert.Equal(("refused", null), (stored.Status, stored.Answer));
        Assert.Equal(HttpStatusCode.Conflict, (await user.Client.PostAsync($"api/agents/runs/{runId}/resume", null, Ct)).StatusCode);
        Assert.Equal(2, _agents.Llm.Requests.Count);
    }

    private static Task<HttpResponseMessage> StartAsync(SignedIn user) => user.Client.PostAsJsonAsync("api/agents/runs", new { goal = "Price of gpt-4o as JSON" }, Ct);

    private static async Task<List<QualityResult>> QualityAsync(SignedIn user, Guid runId) =>
        (await user.Client.GetFromJsonAsync<List<QualityResult>>($"api/agents/runs/{runId}/quality", Ct))!;
}
