namespace Apex.Platform.Performance.Startup;

/// <summary>Whether every dependency answered, and what each one said at the last probe.</summary>
public sealed class ReadinessState
{
    private volatile IReadOnlyDictionary<string, string> _dependencies = new Dictionary<string, string>();
    private volatile bool _ready;

    public bool IsReady => _ready;

    public IReadOnlyDictionary<string, string> Dependencies => _dependencies;

    internal void Update(IReadOnlyDictionary<string, string> dependencies)
    {
        _dependencies = dependencies;
        _ready = dependencies.Values.All(v => v == DependencyProbe.Ok);
    }
}
