using System.Diagnostics;
using System.Text.RegularExpressions;
using Apex.Coverage.Web.Runs;

namespace Apex.Coverage.Web.Selection;

/// <summary>
/// The files changed between two commits of the repository the dashboard runs from
/// (<c>git diff --name-only base head</c> in the first folder upward of the content root that
/// holds <c>.git</c>). Commit names are checked before git sees them.
/// </summary>
public sealed partial class GitChanges(IHostEnvironment environment)
{
    /// <exception cref="SelectionException">A commit name is not one, there is no repository, or git refuses.</exception>
    public async Task<List<string>> BetweenAsync(string baseCommit, string headCommit, CancellationToken cancellationToken)
    {
        foreach (var commit in new[] { baseCommit, headCommit })
        {
            if (!CommitName().IsMatch(commit))
            {
                throw new SelectionException($"'{commit}' is not a commit name (hex, a branch or tag, HEAD~n).");
            }
        }

        var root = RepositoryRoot(environment.ContentRootPath)
            ?? throw new SelectionException($"The dashboard does not run from a git repository ({environment.ContentRootPath}); post the changed files or a diff instead.");
        var start = new ProcessStartInfo("git", ["-C", root, "diff", "--name-only", $"{baseCommit}", $"{headCommit}", "--"])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        using var git = Process.Start(start) ?? throw new SelectionException("git could not be started.");
        var output = git.StandardOutput.ReadToEndAsync(cancellationToken);
        var error = git.StandardError.ReadToEndAsync(cancellationToken);
        await git.WaitForExitAsync(cancellationToken);
        return git.ExitCode == 0
            ? [.. (await output).Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)]
            : throw new SelectionException($"git diff {baseCommit} {headCommit} failed: {(await error).Trim()}");
    }

    /// <summary>The first folder upward of <paramref name="folder"/> that holds <c>.git</c>; null outside a checkout.</summary>
    public static string? RepositoryRoot(string folder)
    {
        for (var dir = new DirectoryInfo(folder); dir is not null; dir = dir.Parent)
        {
            if (Directory.Exists(Path.Combine(dir.FullName, ".git")) || File.Exists(Path.Combine(dir.FullName, ".git")))
            {
                return dir.FullName;
            }
        }

        return null;
    }

    [GeneratedRegex(@"^[A-Za-z0-9][A-Za-z0-9._/~^-]{0,199}$")]
    private static partial Regex CommitName();
}
