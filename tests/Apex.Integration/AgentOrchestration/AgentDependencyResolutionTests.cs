using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Apex.Integration.Infrastructure;
using Apex.Platform.Agents.Dependencies;

namespace Apex.Integration.AgentOrchestration;

/// <summary>
/// Agents declare what they depend on through the platform's API; the resolver answers the order to
/// run them in (dependencies first), names a cycle by its path and undefined agents by name, and
/// caches each resolution until a definition it went through changes.
/// </summary>
[PlanItem(44)]
[BusinessValue(
    segment: "Mid-market and enterprise tiers composing agents",
    businessGoal: "Dependency management: agents start only after what they need, in a known order",
    valueImpact: "$7K MRR",
    strategicImpact: "Reliability: a circular or missing dependency is refused with its path instead of hanging a run")]
public sealed class AgentDependencyResolutionTests(AgentDependencyResolutionTests.Host host) : IClassFixture<AgentDependencyResolutionTests.Host>
{
    private readonly AgentPlatform _agents = host.Agents;
    private readonly string _p = $"t{Guid.NewGuid():N}"[..9] + "_";

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public sealed class Host(PostgresServer postgres, RedisServer redis) : AgentClassHost(postgres, redis)
    {
        protected override string Owner => "agents44";
    }

    [Fact]
    public async Task Resolve_OrdersDependenciesFirst_WhenAgentsShareADependency()
    {
        var user = await _agents.SignInAsync();
        await DefineAsync(user, "report", "pricing", "usage");
        await DefineAsync(user, "pricing", "catalog");
        await DefineAsync(user, "usage", "catalog");
        await DefineAsync(user, "catalog");

        var resolution = await ResolveAsync(user, "report");

        Assert.Equal([N("catalog"), N("pricing"), N("usage"), N("report")], resolution.Order);
        Assert.True(resolution.Resolved);
    }

    [Fact]
    public async Task Resolve_RefusesAndNamesTheCycle_WhenDependenciesAreCircular()
    {
        var user = await _agents.SignInAsync();
        await DefineAsync(user, "planner", "researcher");
        await DefineAsync(user, "researcher", "critic");
        await DefineAsync(user, "critic", "planner");

        var response = await user.Client.GetAsync($"api/agents/definitions/{N("planner")}/resolution", Ct);

        Assert.Equal(HttpStatusCode.Conflict, response.StatusCode);
        Assert.Equal($"Circular dependency: {N("planner")} -> {N("researcher")} -> {N("critic")} -> {N("planner")}", await DetailAsync(response));
    }

    [Fact]
    public async Task Resolve_RefusesAndNamesTheMissingAgent_WhenADependencyIsNotDefined()
    {
        var user = await _agents.SignInAsync();
        await DefineAsync(user, "writer", "translator");

        var response = await user.Client.GetAsync($"api/agents/definitions/{N("writer")}/resolution", Ct);

        Assert.Equal(HttpStatusCode.Conflict, response.StatusCode);
        Assert.Equal($"Not defined: {N("translator")}", await DetailAsync(response));
    }

    [Fact]
    public async Task Resolution_IsCachedAndRecomputedOnlyWhenADefinitionItUsedChanges()
    {
        var user = await _agents.SignInAsync();
        var resolver = _agents.Service<AgentDependencyResolver>();
        await DefineAsync(user, "answer", "search");
        await DefineAsync(user, "search");
        await DefineAsync(user, "other");
        await ResolveAsync(user, "other");

        var computedBefore = resolver.Computed;
        var first = await ResolveAsync(user, "answer");
        var cached = await ResolveAsync(user, "answer");
        var afterFirstTwo = resolver.Computed - computedBefore;
        await DefineAsync(user, "search", "index");
        await DefineAsync(user, "index");
        var changed = await ResolveAsync(user, "answer");
        await ResolveAsync(user, "other");

        Assert.Equal(1, afterFirstTwo);
        Assert.Equal(first.Order, cached.Order);
        Assert.Equal([N("index"), N("search"), N("answer")], changed.Order);
        Assert.Equal(2, resolver.Computed - computedBefore);
    }

    private string N(string name) => _p + name;

    private async Task DefineAsync(SignedIn user, string name, params string[] dependsOn)
    {
        var response = await user.Client.PutAsJsonAsync($"api/agents/definitions/{N(name)}", new { dependsOn = dependsOn.Select(N) }, Ct);
        Assert.Equal(HttpStatusCode.NoContent, response.StatusCode);
    }

    private async Task<DependencyResolution> ResolveAsync(SignedIn user, string name) =>
        (await user.Client.GetFromJsonAsync<DependencyResolution>($"api/agents/definitions/{N(name)}/resolution", Ct))!;

    private static async Task<string> DetailAsync(HttpResponseMessage response) =>
        JsonNode.Parse(await response.Content.ReadAsStringAsync(Ct))!["detail"]!.GetValue<string>();
}
