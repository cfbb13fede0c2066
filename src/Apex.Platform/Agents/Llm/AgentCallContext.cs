namespace Apex.Platform.Agents.Llm;

/// <summary>
/// Which run and tenant the current LLM call belongs to, for the layers of the LLM pipeline that
/// record per run (costs, context trims) or isolate per tenant (the response cache). Flows with
/// the async call; set by the supervisor for the span of a run, never sent to a provider.
/// </summary>
public static class AgentCallContext
{
    private static readonly AsyncLocal<(Guid RunId, Guid TenantId)?> Value = new();

    public static (Guid RunId, Guid TenantId)? Current => Value.Value;

    public static IDisposable Begin(Guid runId, Guid tenantId)
    {
        var previous = Value.Value;
        Value.Value = (runId, tenantId);
        return new Restore(previous);
    }

    private sealed class Restore((Guid, Guid)? previous) : IDisposable
    {
        public void Dispose() => Value.Value = previous;
    }
}
