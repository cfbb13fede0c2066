using Apex.Coverage.Web.Ingestion;
using Apex.Coverage.Web.Results;

namespace Apex.Coverage.Tests.Ingestion;

public sealed class BadFileTests
{
    [Fact]
    public void Parse_RefusesDtd_WhenFileDeclaresExternalEntity()
    {
        var secret = Path.Combine(Path.GetTempPath(), $"apex-secret-{Guid.NewGuid():N}.txt");
        File.WriteAllText(secret, "TOP-SECRET-VALUE");
        try
        {
            var ex = Assert.Throws<ResultFileException>(() => ResultFileParser.Parse(IngestionFixtures.Stream(HostileFiles.ExternalEntity(secret))));

            Assert.Equal((400, "DTD not allowed"), (ex.StatusCode, ex.Title));
            Assert.DoesNotContain("TOP-SECRET-VALUE", ex.Message, StringComparison.Ordinal);
            Assert.Contains("remove the DOCTYPE", ex.Message, StringComparison.Ordinal);
        }
        finally
        {
            File.Delete(secret);
        }
    }

    [Fact]
    public void Parse_RefusesDtdWithoutExpanding_WhenFileIsBillionLaughs()
    {
        var before = GC.GetAllocatedBytesForCurrentThread();

        var ex = Assert.Throws<ResultFileException>(() => ResultFileParser.Parse(IngestionFixtures.Stream(HostileFiles.BillionLaughs)));

        Assert.Equal("DTD not allowed", ex.Title);
        Assert.True(GC.GetAllocatedBytesForCurrentThread() - before < 10_000_000, "the entities must not have been expanded");
    }

    [Fact]
    public void Parse_NamesLineOfTheBreak_WhenXmlIsTruncated()
    {
        var ex = Assert.Throws<ResultFileException>(() => ResultFileParser.Parse(IngestionFixtures.Stream(HostileFiles.Truncated)));

        Assert.Equal((400, "Result file is not well-formed XML"), (ex.StatusCode, ex.Title));
        Assert.Contains("(line ", ex.Message, StringComparison.Ordinal);
        Assert.Contains("cut short", ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(HostileFiles.UnknownRoot, "<project>")]
    [InlineData(HostileFiles.TrxRootWithoutNamespace, "<TestRun>")]
    public void Parse_SaysWhatRootWasExpected_WhenRootIsUnknown(string xml, string root)
    {
        var ex = Assert.Throws<ResultFileException>(() => ResultFileParser.Parse(IngestionFixtures.Stream(xml)));

        Assert.Equal("Not a TRX or JUnit XML file", ex.Title);
        Assert.Contains($"The root element is {root}", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_ReportsMissingRoot_WhenBodyIsOnlyWhitespace()
    {
        var ex = Assert.Throws<ResultFileException>(() => ResultFileParser.Parse(IngestionFixtures.Stream("   \n ")));

        Assert.Equal(400, ex.StatusCode);
    }
}
