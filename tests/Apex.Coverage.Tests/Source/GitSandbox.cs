using System.Diagnostics;
using Apex.Coverage.Tests.Fixtures;
using Apex.Coverage.Web.Source;
using Microsoft.Extensions.Hosting.Internal;

namespace Apex.Coverage.Tests.Source;

/// <summary>A real git repository in a temp folder, with the dashboard's <see cref="SourceFiles"/> reading it as its content root.</summary>
public sealed class GitSandbox : IDisposable
{
    public string Root { get; } = TempFolder.Create("apex-source");

    public SourceFiles Files => new(new HostingEnvironment { ContentRootPath = Root });

    public void Write(string path, string text)
    {
        var full = Path.Combine(Root, path);
        Directory.CreateDirectory(Path.GetDirectoryName(full)!);
        File.WriteAllText(full, text);
    }

    /// <summary>Commits everything and answers the commit's hash.</summary>
    public string Commit(string message)
    {
        if (!Directory.Exists(Path.Combine(Root, ".git")))
        {
            Git("init", "-q");
        }

        Git("add", "-A");
        Git("-c", "user.name=apex", "-c", "user.email=apex@example.test", "commit", "-q", "-m", message);
        return Git("rev-parse", "HEAD").Trim();
    }

    private string Git(params string[] arguments)
    {
        using var git = Process.Start(new ProcessStartInfo("git", ["-C", Root, .. arguments]) { RedirectStandardOutput = true, RedirectStandardError = true })!;
        var output = git.StandardOutput.ReadToEnd();
        var error = git.StandardError.ReadToEnd();
        git.WaitForExit();
        return git.ExitCode == 0 ? output : throw new InvalidOperationException($"git {string.Join(' ', arguments)}: {error}");
    }

    public void Dispose() => TempFolder.Delete(Root);
}
