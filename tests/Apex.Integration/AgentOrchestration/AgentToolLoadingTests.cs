using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Apex.Integration.AgentOrchestration.ToolPlugins;
using Apex.Integration.Fakes;
using Apex.Integration.Infrastructure;
using Apex.Platform.Agents;

namespace Apex.Integration.AgentOrchestration;

/// <summary>
/// Tools loaded at run time: the platform starts with a directory of manifests naming tool types
/// (by type name, or from an assembly file) and loads them through the real registry, tools that
/// require others after those, and refuses each bad manifest with its reason (invalid fields, type
/// missing or not a tool, a service the platform does not provide, a required tool missing or in an
/// incompatible version, a duplicate) while still starting. Two versions of one tool coexist; the
/// dispatcher runs the selected one and validates the LLM's arguments against that version's schema.
/// </summary>
[PlanItem(32)]
[BusinessValue(
    segment: "All tiers using AI agents",
    businessGoal: "Tool reliability: only tools that can work are offered to the model",
    valueImpact: "$8K MRR",
    strategicImpact: "Feature availability: new tools and versions ship without a platform release, broken ones are refused with a reason")]
public sealed class AgentToolLoadingTests(AgentToolLoadingTests.Host host) : IClassFixture<AgentToolLoadingTests.Host>
{
    private static readonly string PluginAssembly = typeof(TokenEstimatorV1).Assembly.Location;
    private readonly AgentPlatform _agents = host.Agents;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    /// <summary>The class's platform, started on a directory of tool manifests written first.</summary>
    public sealed class Host(PostgresServer postgres, RedisServer redis) : AgentClassHost(postgres, redis)
    {
        private readonly string _directory = Path.Combine(Path.GetTempPath(), $"apex-tools-{Guid.NewGuid():N}");

        protected override string Owner => "agents32";

        protected override IReadOnlyDictionary<string, string?> Settings => new Dictionary<string, string?> { ["Platform:Agents:ToolManifestsPath"] = _directory };

        public override async ValueTask InitializeAsync()
        {
            Directory.CreateDirectory(_directory);
            foreach (var (file, manifest) in Manifests()) await File.WriteAllTextAsync(Path.Combine(_directory, file), manifest, Ct);
            await base.InitializeAsync();
            Agents.Catalog.Reset(new Dictionary<string, decimal>());
        }

        public override async ValueTask DisposeAsync()
        {
            await base.DisposeAsync();
            Directory.Delete(_directory, recursive: true);
        }
    }

    [Fact]
    public async Task LoadAtStart_OffersManifestToolsInHighestVersion_WhenDirectoryHoldsValidManifests()
    {
        var user = await _agents.SignInAsync();
        _agents.Llm.Script(
            _ => LlmReply.Calls(null,
                new LlmToolCall("call_tokens", "token_estimator", """{"text":"hello agents, hello tools","model":"gpt-4o"}"""),
                new LlmToolCall("call_budget", "budget_check", """{"cost":1.5,"budget":2}""")),
            request => LlmReply.Answer($"{request.ToolResult("call_tokens")["tokens"]} tokens by {request.ToolResult("call_tokens")["estimator"]}; fits: {request.ToolResult("call_budget")["fits"]}"));

        var run = await RunAsync(user, "Estimate");
        var catalog = (await user.Client.GetFromJsonAsync<ToolCatalog>("api/agents/tools", Ct))!;

        Assert.Equal("9 tokens by 2.0.0; fits: true", run.Answer);
        var offered = _agents.Llm.Requests[0].ToolNames;
        Assert.Contains("token_estimator", offered);
        Assert.Contains("budget_check", offered);
        Assert.DoesNotContain("currency_converter", offered);
        Assert.DoesNotContain("ghost_tool", offered);
        Assert.Single(offered, name => name == "token_estimator");
        Assert.Contains(new ToolCatalog.Entry("token_estimator", "1.0.0", false, "token_estimator_1.json"), catalog.Tools);
        Assert.Contains(new ToolCatalog.Entry("token_estimator", "2.0.0", true, "token_estimator_2.json"), catalog.Tools);
        Assert.Contains(new ToolCatalog.Entry("budget_check", "1.0.0", true, "budget_check.json"), catalog.Tools);
        Assert.Contains(new ToolCatalog.Entry("cost_calculator", "1.0.0", true, ToolRegistry.BuiltInSource), catalog.Tools);
        Assert.DoesNotContain(catalog.Tools, t => t.Name is "currency_converter" or "ghost_tool" or "word_count" || t.Version == "1.1.0");
    }

    [Theory]
    [InlineData("broken.json", "the manifest is not valid JSON")]
    [InlineData("bad_version.json", "'version' must be major.minor.patch, got '2'")]
    [InlineData("bad_name.json", "'name' must be 2-64 lower-case letters")]
    [InlineData("missing_type.json", "type 'Apex.Integration.Nope, Apex.Integration' is not found")]
    [InlineData("not_a_tool.json", "does not implement ISubAgent")]
    [InlineData("missing_service.json", "needs Apex.Integration.AgentOrchestration.ToolPlugins.IExchangeRateFeed, which this platform does not provide")]
    [InlineData("misnamed.json", "the manifest names the tool 'word_count' but Apex.Integration.AgentOrchestration.ToolPlugins.WordCounterTool calls itself 'word_counter'")]
    [InlineData("missing_dependency.json", "requires tool 'tax_calculator' 1.0.0, which is not loaded")]
    [InlineData("incompatible_major.json", "requires tool 'cost_calculator' 2.0.0 (same major, at least that version), but only 1.0.0 is loaded")]
    [InlineData("incompatible_minor.json", "requires tool 'token_estimator' 1.5.0 (same major, at least that version), but only 1.0.0, 2.0.0 is loaded")]
    [InlineData("duplicate.json", "'cost_calculator' 1.0.0 is already loaded")]
    [InlineData("missing_assembly.json", "assembly '/nonexistent/plugin.dll' cannot be loaded")]
    public async Task LoadAtStart_RefusesManifestWithItsReason_WhenManifestCannotWork(string file, string reason)
    {
        var user = await _agents.SignInAsync();

        var catalog = (await user.Client.GetFromJsonAsync<ToolCatalog>("api/agents/tools", Ct))!;

        var refusal = Assert.Single(catalog.Refused, r => r.Source == file);
        Assert.Contains(refusal.Problems, problem => problem.Contains(reason, StringComparison.Ordinal));
    }

    [Fact]
    public async Task SelectVersion_RunsChosenVersionAndValidatesItsSchema_WhenOlderVersionIsSelected()
    {
        var user = await _agents.SignInAsync();
        var registry = _agents.Service<ToolRegistry>();
        try
        {
            Assert.True(registry.Select("token_estimator", "1.0.0").Loaded);
            var v1 = await EstimateAsync(user, """{"text":"hello tools","model":"gpt-4o"}""", """{"text":"hello tools"}""");
            Assert.Equal(["'model' is not a parameter", "3 tokens by 1.0.0"], v1);

            Assert.True(registry.Select("token_estimator", "2.0.0").Loaded);
            var v2 = await EstimateAsync(user, """{"text":"hello tools"}""", """{"text":"hello tools","model":"gpt-4o"}""");
            Assert.Equal(["'model' is required", "4 tokens by 2.0.0"], v2);
        }
        finally
        {
            registry.Select("token_estimator", "2.0.0");
        }

        Assert.Equal(["Tool 'token_estimator' has no version '3.0.0'; loaded: 1.0.0, 2.0.0"], registry.Select("token_estimator", "3.0.0").Problems);
        Assert.Equal(["No tool 'ghost_tool' is loaded"], registry.Select("ghost_tool", "1.0.0").Problems);
        Assert.Equal(new Version(2, 0, 0), registry.Find("token_estimator")!.Version);
    }

    [Fact]
    public async Task LoadAtRuntime_OffersToolToTheNextRun_WhenManifestIsLoadedWhilePlatformRuns()
    {
        var user = await _agents.SignInAsync();
        var registry = _agents.Service<ToolRegistry>();
        var manifest = new ToolManifest("word_counter", "1.0.0", typeof(WordCounterTool).FullName, PluginAssembly);

        var loaded = registry.Load(manifest, "runtime");
        var again = registry.Load(manifest, "runtime-again");
        _agents.Llm.Script(
            _ => LlmReply.Calls(null, new LlmToolCall("call_words", "word_counter", """{"text":"one two three"}""")),
            request => LlmReply.Answer($"{request.ToolResult("call_words")["words"]} words"));
        var run = await RunAsync(user, "Count");

        Assert.True(loaded.Loaded);
        Assert.Equal(["'word_counter' 1.0.0 is already loaded"], again.Problems);
        Assert.Contains("word_counter", _agents.Llm.Requests[0].ToolNames);
        Assert.Equal("3 words", run.Answer);
    }

    /// <summary>Two runs calling token_estimator with each argument set; what each run's answer reported.</summary>
    private async Task<List<string>> EstimateAsync(SignedIn user, params string[] argumentSets)
    {
        var answers = new List<string>();
        foreach (var arguments in argumentSets)
        {
            _agents.Llm.Script(
                _ => LlmReply.Calls(null, new LlmToolCall("call_tokens", "token_estimator", arguments)),
                request => LlmReply.Answer(request.ToolResult("call_tokens") is var result && result["status"]?.GetValue<string>() == "refused"
                    ? result["error"]!.GetValue<string>()
                    : $"{result["tokens"]} tokens by {result["estimator"]}"));
            answers.Add((await RunAsync(user, "Estimate")).Answer!);
        }

        return [.. answers.Select(answer => answer.StartsWith("Invalid", StringComparison.Ordinal) ? answer.Split(": ")[1].TrimEnd('.') : answer)];
    }

    private static async Task<AgentRun> RunAsync(SignedIn user, string goal)
    {
        var response = await user.Client.PostAsJsonAsync("api/agents/runs", new { goal }, Ct);
        Assert.True(response.IsSuccessStatusCode, await response.Content.ReadAsStringAsync(Ct));
        return (await response.Content.ReadFromJsonAsync<AgentRun>(Ct))!;
    }

    private static IEnumerable<(string File, string Manifest)> Manifests()
    {
        static string Json(string name, string version, Type type, JsonObject? requires = null, string? assembly = null) => new JsonObject
        {
            ["name"] = name, ["version"] = version, ["type"] = assembly is null ? type.AssemblyQualifiedName : type.FullName,
            ["assembly"] = assembly, ["requires"] = requires,
        }.ToJsonString();

        // budget_check sorts first but needs token_estimator: the loader must wait for it.
        yield return ("budget_check.json", Json("budget_check", "1.0.0", typeof(BudgetCheckTool), new() { ["cost_calculator"] = "1.0.0", ["token_estimator"] = "1.0.0" }));
        yield return ("token_estimator_1.json", Json("token_estimator", "1.0.0", typeof(TokenEstimatorV1)));
        yield return ("token_estimator_2.json", Json("token_estimator", "2.0.0", typeof(TokenEstimatorV2), assembly: PluginAssembly));
        yield return ("broken.json", "{ \"name\": \"half");
        yield return ("bad_version.json", Json("token_estimator", "2", typeof(TokenEstimatorV2)));
        yield return ("bad_name.json", Json("Token-Estimator", "3.0.0", typeof(TokenEstimatorV2)));
        yield return ("missing_type.json", """{"name":"ghost_tool","version":"1.0.0","type":"Apex.Integration.Nope, Apex.Integration"}""");
        yield return ("not_a_tool.json", Json("not_a_tool", "1.0.0", typeof(NotATool)));
        yield return ("missing_service.json", Json("currency_converter", "1.0.0", typeof(CurrencyConverterTool)));
        yield return ("misnamed.json", Json("word_count", "1.0.0", typeof(WordCounterTool)));
        yield return ("missing_dependency.json", Json("budget_check", "1.1.0", typeof(BudgetCheckTool), new() { ["tax_calculator"] = "1.0.0" }));
        yield return ("incompatible_major.json", Json("budget_check", "2.0.0", typeof(BudgetCheckTool), new() { ["cost_calculator"] = "2.0.0" }));
        yield return ("incompatible_minor.json", Json("budget_check", "1.2.0", typeof(BudgetCheckTool), new() { ["token_estimator"] = "1.5.0" }));
        yield return ("duplicate.json", Json("cost_calculator", "1.0.0", typeof(CostCalculatorAgent)));
        yield return ("missing_assembly.json", Json("word_counter", "1.0.0", typeof(WordCounterTool), assembly: "/nonexistent/plugin.dll"));
    }
}
