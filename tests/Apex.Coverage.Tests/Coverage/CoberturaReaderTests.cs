using System.Text;
using Apex.Coverage.Web.CodeCoverage;
using Apex.Coverage.Web.Results;

namespace Apex.Coverage.Tests.Coverage;

/// <summary>The Cobertura reader and summariser on good, damaged and hostile reports.</summary>
public sealed class CoberturaReaderTests
{
    // Two files of Apex.Platform in two folders, a nested class repeating a line of its file, a
    // method block repeating the class's lines, and a package of another assembly.
    private const string Report = """
        <?xml version="1.0" encoding="utf-8"?>
        <coverage line-rate="0.5" branch-rate="0.5" version="1.9">
          <sources><source>/</source></sources>
          <packages>
            <package name="Apex.Platform">
              <classes>
                <class name="Apex.Platform.Auth.TokenService" filename="work/src/Apex.Platform/Auth/TokenService.cs">
                  <methods><method name="Issue"><lines><line number="10" hits="3" branch="False" /></lines></method></methods>
                  <lines>
                    <line number="10" hits="3" branch="False" />
                    <line number="11" hits="0" branch="False" />
                    <line number="12" hits="1" branch="True" condition-coverage="50% (1/2)" />
                    <line number="13" hits="0" branch="False" />
                  </lines>
                </class>
                <class name="Apex.Platform.Auth.TokenService/&lt;&gt;c" filename="work/src/Apex.Platform/Auth/TokenService.cs">
                  <lines><line number="13" hits="2" branch="False" /><line number="20" hits="0" branch="False" /></lines>
                </class>
                <class name="Apex.Platform.Billing.Invoices" filename="work/src/Apex.Platform/Billing/Invoices.cs">
                  <lines><line number="5" hits="1" branch="True" condition-coverage="100% (4/4)" /></lines>
                </class>
                <class name="Apex.Platform.Program" filename="work/src/Apex.Platform/Program.cs">
                  <lines><line number="1" hits="0" branch="False" /></lines>
                </class>
              </classes>
            </package>
            <package name="Other.Library">
              <classes><class name="Other.Thing" filename="x/Other.Library/Thing.cs"><lines><line number="1" hits="1" branch="False" /></lines></class></classes>
            </package>
          </packages>
        </coverage>
        """;

    private static Task<IReadOnlyList<CoberturaClass>> ReadAsync(string xml) =>
        CoberturaReader.ReadAsync(new MemoryStream(Encoding.UTF8.GetBytes(xml)), TestContext.Current.CancellationToken);

    [Fact]
    public async Task Summarize_CountsEachFileLineOnceAndGroupsByFolder_WhenReportIsValid()
    {
        var summary = CodeCoverageSummarizer.Summarize("Apex.Platform", await ReadAsync(Report));

        // TokenService.cs: lines 10-13 and 20, line 13 hit by the nested class → 3 of 5; Invoices 1 of 1; Program 0 of 1.
        Assert.Equal(new CodeCoverageCounts(4, 7, 5, 6), summary.Counts);
        Assert.Equal(["(root)", "Auth", "Billing"], summary.Modules.Select(m => m.Name));
        var auth = summary.Files.Single(f => f.Module == "Auth");
        Assert.Equal(("Auth/TokenService.cs", new CodeCoverageCounts(3, 5, 1, 2)), (auth.Path, auth.Counts));
        Assert.Equal([11, 20], auth.UncoveredLines);
        Assert.Equal((0.6, 0.5), (auth.Counts.LineRate, auth.Counts.BranchRate));
    }

    [Fact]
    public void Locate_TakesModuleFromNamespace_WhenPathDoesNotShowTheProjectFolder()
    {
        var (path, module) = CodeCoverageSummarizer.Locate("Apex.Platform", new CoberturaClass("Apex.Platform", "Apex.Platform.Caching.Store", "/build/Store.cs", []));

        Assert.Equal(("/build/Store.cs", "Caching"), (path, module));
    }

    [Theory]
    [InlineData("src/Apex.Platform/obj/Debug/net10.0/Gen/RegexGenerator.g.cs")]
    [InlineData("tmp/build/obj/Apex.Platform/debug/Gen/LoggerMessage.g.cs")]
    public void Locate_PutsSourceGeneratorOutputInItsOwnModule_WhenFileIsGenerated(string fileName)
    {
        var (_, module) = CodeCoverageSummarizer.Locate("Apex.Platform", new CoberturaClass("Apex.Platform", "Apex.Platform.Auth.Regexes", fileName, []));

        Assert.Equal(CodeCoverageSummarizer.GeneratedModule, module);
    }

    [Theory]
    [InlineData(new[] { 13, 14, 15, 16, 25 }, "13-16,25")]
    [InlineData(new[] { 7 }, "7")]
    [InlineData(new int[0], "")]
    [InlineData(new[] { 3, 1, 2, 9, 10 }, "1-3,9-10")]
    public void Ranges_CompressesConsecutiveLines_WhenLinesAreGiven(int[] lines, string expected) =>
        Assert.Equal(expected, CodeCoverageSummarizer.Ranges(lines));

    [Fact]
    public async Task ReadAsync_Refuses_WhenReportIsTruncated()
    {
        var error = await Assert.ThrowsAsync<CoverageReportException>(() => ReadAsync(Report[..(Report.Length / 2)]));

        Assert.Contains("not well-formed", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ReadAsync_RefusesWithoutExpanding_WhenReportCarriesADtd()
    {
        const string billionLaughs = """
            <?xml version="1.0"?>
            <!DOCTYPE coverage [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;"><!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;">]>
            <coverage><packages><package name="&c;" /></packages></coverage>
            """;

        var error = await Assert.ThrowsAsync<CoverageReportException>(() => ReadAsync(billionLaughs));

        Assert.Contains("DTD", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ReadAsync_RefusesWithoutReading_WhenExternalEntityIsDeclared()
    {
        const string external = """
            <?xml version="1.0"?>
            <!DOCTYPE coverage [<!ENTITY x SYSTEM "file:///etc/passwd">]>
            <coverage><packages><package name="&x;" /></packages></coverage>
            """;

        await Assert.ThrowsAsync<CoverageReportException>(() => ReadAsync(external));
    }

    [Theory]
    [InlineData("<TestRun xmlns=\"http://microsoft.com/schemas/VisualStudio/TeamTest/2010\" />", "<TestRun>")]
    [InlineData("<report><coverage /></report>", "<report>")]
    public async Task ReadAsync_RefusesNamingTheRoot_WhenRootIsNotCoverage(string xml, string named)
    {
        var error = await Assert.ThrowsAsync<CoverageReportException>(() => ReadAsync(xml));

        Assert.Contains(named, error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("")]
    [InlineData("not xml at all")]
    [InlineData("\0\u0001binary")]
    public async Task ReadAsync_Refuses_WhenFileIsEmptyOrNotXml(string content) =>
        await Assert.ThrowsAsync<CoverageReportException>(() => ReadAsync(content));

    [Theory]
    [InlineData("hits=\"-1\"")]
    [InlineData("hits=\"many\"")]
    [InlineData("hits=\"\"")]
    public async Task ReadAsync_RefusesNamingTheClass_WhenLineCountIsNotACount(string hits)
    {
        var xml = $"<coverage><packages><package name=\"P\"><classes><class name=\"P.C\" filename=\"C.cs\"><lines><line number=\"1\" {hits} /></lines></class></classes></package></packages></coverage>";

        var error = await Assert.ThrowsAsync<CoverageReportException>(() => ReadAsync(xml));

        Assert.Contains("P.C", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ReadAsync_CapsHitsAndIgnoresBadConditions_WhenNumbersAreOdd()
    {
        const string xml = """
            <coverage><packages><package name="P"><classes><class name="P.C" filename="P/C.cs"><lines>
              <line number="1" hits="99999999999" branch="True" condition-coverage="garbage" />
              <line number="2" hits="0" branch="True" condition-coverage="150% (3/2)" />
            </lines></class></classes></package></packages></coverage>
            """;

        var lines = Assert.Single(await ReadAsync(xml)).Lines;

        Assert.Equal([new CoberturaLine(1, int.MaxValue, 0, 0), new CoberturaLine(2, 0, 0, 0)], lines);
    }
}
