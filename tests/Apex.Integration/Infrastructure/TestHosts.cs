namespace Apex.Integration.Infrastructure;

/// <summary>What every web host the suite starts (platform instances, fakes, proxies) is built with.</summary>
public static class TestHosts
{
    /// <summary>
    /// No watching of appsettings files for changes. Each watch is a recursive inotify watcher on the host's content
    /// root (the bin folder), and the machine allows 128 per user: under Stryker's MTP runner, which runs the suite
    /// again and again in one process, a run of item 98 held 127 of them after 5 minutes and every other .NET host
    /// on the machine failed to start. The suite never edits its settings files, so nothing is lost.
    /// </summary>
    public static readonly string[] NoConfigWatch = ["--hostBuilder:reloadConfigOnChange=false"];
}
