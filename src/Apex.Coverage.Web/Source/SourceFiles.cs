using System.Diagnostics;
using System.Text.RegularExpressions;

namespace Apex.Coverage.Web.Source;

/// <summary>A source file as the dashboard shows it: its lines, at the commit asked for or as the checkout holds it now.</summary>
public sealed record SourceFile(string Path, string? Commit, IReadOnlyList<string> Lines, string? Note);

/// <summary>Why a source file cannot be shown, in one sentence for the page.</summary>
public sealed class SourceException(string message) : Exception(message);

/// <summary>
/// Reads the C# sources of the repository the dashboard runs from, so a surviving mutant's file and line
/// can be opened: <c>git show commit:path</c> when the run's commit is in the checkout, else the file as it
/// is now (said so). Only .cs and .razor files inside the repository, never bin/obj, never above 1 MB:
/// settings, databases and keys beside the sources stay unreadable through this page.
/// </summary>
public sealed partial class SourceFiles(IHostEnvironment host)
{
    public const int MaxBytes = 1024 * 1024;

    private static readonly string[] Extensions = [".cs", ".razor"];

    /// <exception cref="SourceException">The path is not a source file of this repository, or it cannot be read.</exception>
    public async Task<SourceFile> ReadAsync(string path, string? commit, CancellationToken cancellationToken)
    {
        var relative = Check(path);
        var root = Selection.GitChanges.RepositoryRoot(host.ContentRootPath) ?? host.ContentRootPath;
        if (commit is not null && CommitHash().IsMatch(commit) && await ShowAsync(root, commit, relative, cancellationToken) is { } text)
        {
            return new SourceFile(relative, commit, Split(text), null);
        }

        var full = System.IO.Path.GetFullPath(System.IO.Path.Combine(root, relative));
        var target = File.Exists(full) ? File.ResolveLinkTarget(full, returnFinalTarget: true)?.FullName ?? full : null;
        if (target is null || !Inside(root, full) || !Inside(root, target))
        {
            throw new SourceException($"{relative} is not a file of this checkout.");
        }

        if (new FileInfo(full).Length > MaxBytes)
        {
            throw new SourceException($"{relative} is larger than 1 MB and is not shown.");
        }

        var note = commit is null ? null : $"Shown as the checkout holds it now: commit {Short(commit)} is not in this checkout, so lines may have moved.";
        return new SourceFile(relative, null, Split(await File.ReadAllTextAsync(full, cancellationToken)), note);
    }

    /// <summary>The path made relative and checked: a .cs or .razor file, no way out of the repository, no build output.</summary>
    public static string Check(string? path)
    {
        var relative = (path ?? "").Trim().Replace('\\', '/');
        var segments = relative.Split('/');
        if (relative.Length is 0 or > 1024 || relative.StartsWith('/') || relative.Contains(':') || relative.Contains('\0')
            || segments.Any(s => s is "" or "." or ".." or "bin" or "obj") || !Extensions.Any(e => relative.EndsWith(e, StringComparison.OrdinalIgnoreCase)))
        {
            throw new SourceException($"\"{Trim(relative)}\" is not a source file of this repository: give a .cs or .razor path relative to the repository root.");
        }

        return relative;
    }

    private static async Task<string?> ShowAsync(string root, string commit, string path, CancellationToken cancellationToken)
    {
        try
        {
            using var git = Process.Start(new ProcessStartInfo("git", ["-C", root, "show", $"{commit}:{path}"]) { RedirectStandardOutput = true, RedirectStandardError = true })!;
            var text = git.StandardOutput.ReadToEndAsync(cancellationToken);
            _ = git.StandardError.ReadToEndAsync(cancellationToken);
            await git.WaitForExitAsync(cancellationToken);
            var content = await text;
            return git.ExitCode == 0 && content.Length <= MaxBytes ? content : null;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return null; // no git on this machine: the checkout's file is shown instead
        }
    }

    private static bool Inside(string root, string path) => path.StartsWith(root.TrimEnd('/') + "/", StringComparison.Ordinal);

    private static List<string> Split(string text) => [.. text.ReplaceLineEndings("\n").TrimEnd('\n').Split('\n')];

    private static string Short(string commit) => commit.Length > 10 ? commit[..10] : commit;

    private static string Trim(string text) => text.Length > 120 ? text[..120] + "…" : text;

    [GeneratedRegex("^[0-9a-fA-F]{7,40}$")]
    private static partial Regex CommitHash();
}
