using Apex.Coverage.Web.Source;

namespace Apex.Coverage.Tests.Source;

/// <summary>The source page's reader against a real git repository: the run's commit, the checkout, and what it refuses.</summary>
public sealed class SourceFilesTests : IDisposable
{
    private const string Code = "src/Lib/Pricing.cs";
    private readonly GitSandbox _repo = new();

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task ReadAsync_ShowsTheFileAsTheCommitHadIt_WhenTheCheckoutHasMovedOn()
    {
        _repo.Write(Code, "class Pricing\n{\n    int Total() => 1;\n}\n");
        var first = _repo.Commit("first");
        _repo.Write(Code, "// moved\nclass Pricing\n{\n    int Total() => 2;\n}\n");
        _repo.Commit("second");

        var file = await _repo.Files.ReadAsync(Code, first, Ct);

        Assert.Equal((first, 4, "    int Total() => 1;", (string?)null), (file.Commit, file.Lines.Count, file.Lines[2], file.Note));
    }

    [Fact]
    public async Task ReadAsync_ShowsTheCheckoutAndSaysSo_WhenTheCommitIsNotInIt()
    {
        _repo.Write(Code, "class Pricing\r\n{\r\n}\r\n");
        _repo.Commit("only");

        var file = await _repo.Files.ReadAsync(Code, "0123456789abcdef0123456789abcdef01234567", Ct);

        Assert.Null(file.Commit);
        Assert.Equal(["class Pricing", "{", "}"], file.Lines);
        Assert.StartsWith("Shown as the checkout holds it now: commit 0123456789 is not in this checkout", file.Note);
    }

    [Theory]
    [InlineData("../../etc/passwd")]
    [InlineData("/etc/hostname.cs")]
    [InlineData("src/../../outside.cs")]
    [InlineData("appsettings.json")]
    [InlineData("src/Lib/bin/Debug/Generated.cs")]
    [InlineData("C:/Windows/win.cs")]
    [InlineData("")]
    public async Task ReadAsync_RefusesWithOneSentence_WhenThePathIsNotASourceFileOfTheRepository(string path)
    {
        _repo.Write("appsettings.json", "{ \"Secret\": \"x\" }");
        _repo.Write("src/Lib/bin/Debug/Generated.cs", "class Generated {}");
        _repo.Commit("settings");

        var refused = await Assert.ThrowsAsync<SourceException>(() => _repo.Files.ReadAsync(path, null, Ct));

        Assert.EndsWith("is not a source file of this repository: give a .cs or .razor path relative to the repository root.", refused.Message);
    }

    [Fact]
    public async Task ReadAsync_Refuses_WhenAFileIsALinkOutOfTheRepository()
    {
        _repo.Write("src/Lib/Real.cs", "class Real {}");
        _repo.Commit("real");
        var outside = Path.Combine(Path.GetTempPath(), $"apex-outside-{Guid.NewGuid():N}.cs");
        await File.WriteAllTextAsync(outside, "secret", Ct);
        try
        {
            File.CreateSymbolicLink(Path.Combine(_repo.Root, "src", "Lib", "Link.cs"), outside);

            var refused = await Assert.ThrowsAsync<SourceException>(() => _repo.Files.ReadAsync("src/Lib/Link.cs", null, Ct));

            Assert.Equal("src/Lib/Link.cs is not a file of this checkout.", refused.Message);
        }
        finally
        {
            File.Delete(outside);
        }
    }

    [Fact]
    public async Task ReadAsync_SaysTheFileIsMissing_WhenNeitherTheCommitNorTheCheckoutHasIt()
    {
        _repo.Write("src/Lib/Real.cs", "class Real {}");
        var commit = _repo.Commit("real");

        var refused = await Assert.ThrowsAsync<SourceException>(() => _repo.Files.ReadAsync("src/Lib/Gone.cs", commit, Ct));

        Assert.Equal("src/Lib/Gone.cs is not a file of this checkout.", refused.Message);
    }

    public void Dispose() => _repo.Dispose();
}
