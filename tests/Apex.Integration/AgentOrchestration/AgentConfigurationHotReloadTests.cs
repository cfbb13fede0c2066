using System.Net.Http.Json;
using Apex.Integration.Fakes;
using Apex.Integration.Infrastructure;
using Apex.Platform.Agents.Configuration;
using Apex.Platform.Caching;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace Apex.Integration.AgentOrchestration;

/// <summary>
/// The agent configuration file on disk is watched by the running platform: a valid change is
/// applied to the next run (its system instructions, its tool set) without a restart, through
/// IOptionsMonitor, and announced to OnChange subscribers and on Redis; an invalid change (broken
/// JSON, a rule broken, an unknown tool) is refused with the reason and the last good configuration stays.
/// </summary>
[PlanItem(43)]
[BusinessValue(
    segment: "Platform operators",
    businessGoal: "Dynamic configuration: agent behaviour tuned on a live platform",
    valueImpact: "$5K MRR",
    strategicImpact: "Operational agility: no restart for a prompt or tool change, and a typo can never take agents down")]
public sealed class AgentConfigurationHotReloadTests(AgentConfigurationHotReloadTests.Host host) : IClassFixture<AgentConfigurationHotReloadTests.Host>
{
    private static int _version = 1;
    private readonly AgentPlatform _agents = host.Agents;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public sealed class Host(PostgresServer postgres, RedisServer redis) : AgentClassHost(postgres, redis)
    {
        public string Directory { get; } = System.IO.Directory.CreateTempSubdirectory("apex-agents43-").FullName;

        public string File => Path.Combine(Directory, "agents.json");

        protected override string Owner => "agents43";

        protected override IReadOnlyDictionary<string, string?> Settings => new Dictionary<string, string?> { ["Platform:Agents:ConfigFile:Path"] = File };

        public override async ValueTask InitializeAsync()
        {
            await System.IO.File.WriteAllTextAsync(File, """{"version":1,"instructions":"You are Apex, version one of the instructions."}""");
            await base.InitializeAsync();
        }

        public override async ValueTask DisposeAsync()
        {
            await base.DisposeAsync();
            System.IO.Directory.Delete(Directory, recursive: true);
        }
    }

    [Fact]
    public async Task ValidChange_IsAppliedToTheNextRunAndAnnounced_WithoutARestart()
    {
        var user = await _agents.SignInAsync();
        var version = Interlocked.Increment(ref _version) * 10;
        var monitor = _agents.Service<IOptionsMonitor<AgentRuntimeOptions>>();
        var announced = new TaskCompletionSource<int>(TaskCreationOptions.RunContinuationsAsynchronously);
        using var subscription = monitor.OnChange(options => { if (options.Version == version) announced.TrySetResult(options.Version); });
        var onRedis = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        var channel = await _agents.Service<IConnectionMultiplexer>().GetSubscriber()
            .SubscribeAsync(_agents.Service<RedisKeys>().Channel(AgentConfigWatcher.ChangedChannel));
        channel.OnMessage(message => { if (message.Message == version.ToString(System.Globalization.CultureInfo.InvariantCulture)) onRedis.TrySetResult(message.Message!); });

        await WriteAsync($$"""{"version":{{version}},"instructions":"You are Apex, version {{version}} of the instructions.","disabledTools":["pricing_lookup"]}""");
        await announced.Task.WaitAsync(TimeSpan.FromSeconds(20), Ct);
        _agents.Llm.Script(
            _ => LlmReply.Calls(null, new LlmToolCall("call_live", "pricing_lookup", """{"model":"gpt-4o"}""")),
            request => LlmReply.Answer(request.ToolResult("call_live")["error"]!.GetValue<string>()));
        var run = (await (await user.Client.PostAsJsonAsync("api/agents/runs", new { goal = "Price?" }, Ct)).Content.ReadFromJsonAsync<Apex.Platform.Agents.AgentRun>(Ct))!;

        Assert.Equal(version.ToString(System.Globalization.CultureInfo.InvariantCulture), await onRedis.Task.WaitAsync(TimeSpan.FromSeconds(20), Ct));
        await channel.UnsubscribeAsync();
        var system = _agents.Llm.Requests[0].Messages[0];
        Assert.Equal($"You are Apex, version {version} of the instructions.", system["content"] is System.Text.Json.Nodes.JsonArray parts ? parts[0]!["text"]!.GetValue<string>() : system["content"]!.GetValue<string>());
        Assert.DoesNotContain("pricing_lookup", _agents.Llm.Requests[0].ToolNames);
        Assert.Equal("Tool 'pricing_lookup' is disabled by the agent configuration.", run.Answer);
        Assert.Equal(version, (await user.Client.GetFromJsonAsync<ConfigStatus>("api/agents/config", Ct))!.Current.Version);
    }

    [Theory]
    [InlineData("""{"version":""", "agents.json cannot be read")]
    [InlineData("""{"version":-1,"instructions":"short"}""", "instructions must be 10 to 8,000 characters.; version must be 0 or more.")]
    [InlineData("""{"version":5,"disabledTools":["teleport"]}""", "disabledTools names 'teleport', which is not a loaded tool")]
    public async Task InvalidChange_IsRefusedWithTheReason_AndTheLastGoodConfigurationStays(string content, string reason)
    {
        var user = await _agents.SignInAsync();
        var good = Interlocked.Increment(ref _version) * 10;
        await WriteAsync($$"""{"version":{{good}},"instructions":"You are Apex, the last good instructions {{good}}."}""");
        await Eventually.TrueAsync(async () => (await StatusAsync(user)).Current.Version == good, seconds: 20);
        var before = (await StatusAsync(user)).LastRejection;

        await WriteAsync(content);
        await Eventually.TrueAsync(async () => (await StatusAsync(user)).LastRejection is { } rejection && rejection != before, seconds: 20);
        var status = await StatusAsync(user);

        Assert.StartsWith(reason, status.LastRejection!.Reason, StringComparison.Ordinal);
        Assert.Equal(good, status.Current.Version);
        Assert.Equal(good, _agents.Service<IOptionsMonitor<AgentRuntimeOptions>>().CurrentValue.Version);
        Assert.Equal($"You are Apex, the last good instructions {good}.", _agents.Service<IOptionsMonitor<AgentRuntimeOptions>>().CurrentValue.Instructions);
    }

    // Written beside the file and moved over it, as deployment tools do, so the watcher never reads half a file.
    private async Task WriteAsync(string content)
    {
        var temporary = host.File + ".tmp";
        await File.WriteAllTextAsync(temporary, content, Ct);
        File.Move(temporary, host.File, overwrite: true);
    }

    private static async Task<ConfigStatus> StatusAsync(SignedIn user) => (await user.Client.GetFromJsonAsync<ConfigStatus>("api/agents/config", Ct))!;
}
