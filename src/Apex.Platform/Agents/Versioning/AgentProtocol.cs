using System.Text.Json;
using System.Text.Json.Nodes;

namespace Apex.Platform.Agents.Versioning;

/// <summary>
/// A sub-agent that says which version of the agent protocol it speaks. One that does not say is
/// taken to speak the current one (the platform's own sub-agents are built with it).
/// </summary>
public interface IVersionedAgent
{
    int ProtocolVersion { get; }
}

/// <summary>The checker's verdict on one agent: usable as it is, usable through an adapter, or refused.</summary>
public sealed record ProtocolCheck(ISubAgent? Agent, int Version, bool Adapted, string? Refusal);

/// <summary>
/// The agent protocol: version 3 (current) returns a JSON object; version 2, the previous one,
/// returned a bare value (a number or plain text), which an adapter wraps as <c>{"result": ...}</c>
/// so the supervisor and the model see one shape. Version 1 and versions newer than this platform
/// are refused with the reason, before the agent is offered to any model.
/// </summary>
public static class AgentProtocol
{
    public const int Current = 3;
    public const int Minimum = 2;

    public static int VersionOf(ISubAgent agent) => agent is IVersionedAgent versioned ? versioned.ProtocolVersion : Current;

    public static ProtocolCheck Check(ISubAgent agent)
    {
        var version = VersionOf(agent);
        return version switch
        {
            Current => new ProtocolCheck(agent, version, false, null),
            > Current => new ProtocolCheck(null, version, false,
                $"'{agent.Name}' speaks agent protocol {version}, newer than this platform's {Current}; upgrade the platform to use it"),
            >= Minimum => new ProtocolCheck(new Protocol2Adapter(agent), version, true, null),
            _ => new ProtocolCheck(null, version, false,
                $"'{agent.Name}' speaks agent protocol {version}, which is no longer supported (this platform supports {Minimum} to {Current})"),
        };
    }
}

/// <summary>Makes a protocol 2 agent look like a current one: its bare result becomes <c>{"result": value, "adaptedFrom": 2}</c>.</summary>
public sealed class Protocol2Adapter(ISubAgent inner) : ISubAgent, IVersionedAgent
{
    public ISubAgent Inner => inner;

    public string Name => inner.Name;

    public string Description => inner.Description;

    public IReadOnlyList<ToolParameter> Parameters => inner.Parameters;

    public int ProtocolVersion => AgentProtocol.Current;

    public async Task<string> RunAsync(ToolArguments arguments, CancellationToken cancellationToken)
    {
        var bare = (await inner.RunAsync(arguments, cancellationToken)).Trim();
        JsonNode? value;
        try
        {
            value = JsonNode.Parse(bare);
        }
        catch (JsonException)
        {
            value = JsonValue.Create(bare);
        }

        return value is JsonObject current
            ? current.ToJsonString()
            : new JsonObject { ["result"] = value, ["adaptedFrom"] = AgentProtocol.VersionOf(inner) }.ToJsonString();
    }
}
