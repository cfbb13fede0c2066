namespace Apex.Platform.Agents.Versioning;

public sealed record ToolProtocol(string Name, string Version, int Protocol, bool Adapted);

public sealed record CompatibilityReport(
    int CurrentProtocol, int MinimumProtocol, int CurrentStateVersion, IReadOnlyList<ToolProtocol> Tools, IReadOnlyList<ToolRefusal> Refused);

public static class CompatibilityEndpoints
{
    public static IEndpointRouteBuilder MapAgentCompatibility(this IEndpointRouteBuilder app)
    {
        app.MapGet("/api/agents/compatibility", (ToolRegistry registry) => TypedResults.Ok(Report(registry))).RequireAuthorization();
        return app;
    }

    public static CompatibilityReport Report(ToolRegistry registry) => new(
        AgentProtocol.Current, AgentProtocol.Minimum, AgentState.CurrentVersion,
        [.. registry.All.Select(tool => tool.Agent is Protocol2Adapter adapter
            ? new ToolProtocol(tool.Name, tool.Version.ToString(), AgentProtocol.VersionOf(adapter.Inner), true)
            : new ToolProtocol(tool.Name, tool.Version.ToString(), AgentProtocol.VersionOf(tool.Agent), false))],
        registry.Refused);
}
