using Apex.Coverage.Web.Ingestion;
using Apex.Coverage.Web.Results;
using Apex.Coverage.Web.Runs;

namespace Apex.Coverage.Tests.Ingestion;

public sealed class TrxReaderTests
{
    private const string Checkout = "Apex.Fixture.Results.CheckoutTests";

    [Fact]
    public void Parse_ReadsEveryResultOfRealTrx_KeyedByExecutionId()
    {
        using var stream = File.OpenRead(IngestionFixtures.PathOf(IngestionFixtures.XunitTrx));

        var file = ResultFileParser.Parse(stream);

        Assert.Equal(ResultFileFormat.Trx, file.Format);
        Assert.Equal((6, 4, 1, 1), (file.Results.Count, file.Passed, file.Failed, file.Skipped));
        Assert.Equal(6, file.Results.Select(r => r.ResultKey).Distinct().Count());
        Assert.Contains(file.Results, r => r.ResultKey == "32415aaf-ca3a-45db-bbdb-4b4927c63066");
    }

    [Fact]
    public void Parse_NamesTestsFromTestDefinitions_WhenResultsComeFirst()
    {
        using var stream = File.OpenRead(IngestionFixtures.PathOf(IngestionFixtures.XunitTrx));

        var file = ResultFileParser.Parse(stream);

        var rows = file.Results.Where(r => r.FullyQualifiedName == $"{Checkout}.Add_ReturnsSum_ForEachRow").ToList();
        Assert.Equal(3, rows.Count);
        Assert.Contains(rows, r => r.DisplayName == $"{Checkout}.Add_ReturnsSum_ForEachRow(a: 1, b: 2, sum: 3)");
        Assert.All(file.Results, r => Assert.StartsWith(Checkout + ".", r.FullyQualifiedName, StringComparison.Ordinal));
    }

    [Fact]
    public void Parse_KeepsFailureDetailsAndSkipReason_FromRealTrx()
    {
        using var stream = File.OpenRead(IngestionFixtures.PathOf(IngestionFixtures.XunitTrx));

        var file = ResultFileParser.Parse(stream);

        var failed = Assert.Single(file.Results, r => r.Outcome == TestOutcome.Failed);
        Assert.Equal($"{Checkout}.Refund_Fails_OnPurpose", failed.FullyQualifiedName);
        Assert.StartsWith("Assert.Equal() Failure: Values differ", failed.ErrorMessage, StringComparison.Ordinal);
        Assert.Contains("CheckoutTests.cs:line 16", failed.StackTrace, StringComparison.Ordinal);
        Assert.Equal(0.022, failed.DurationSeconds, 6);
        var skipped = Assert.Single(file.Results, r => r.Outcome == TestOutcome.Skipped);
        Assert.Equal(("waiting for the payment sandbox", $"{Checkout}.Invoice_IsSkipped"), (skipped.ErrorMessage, skipped.FullyQualifiedName));
    }

    [Fact]
    public void Parse_CountsDataDrivenRowsNotParent_WhenResultHasInnerResults()
    {
        var file = ResultFileParser.Parse(IngestionFixtures.Stream(IngestionFixtures.DataDrivenTrx));

        Assert.Equal(["e-row1", "e-row2", "e-row3"], file.Results.Select(r => r.ResultKey));
        Assert.Equal((1, 1, 1), (file.Passed, file.Failed, file.Skipped));
        Assert.All(file.Results, r => Assert.Equal("Calc.Tests.DivideTests.Divide", r.FullyQualifiedName));
    }

    [Fact]
    public void Parse_ReadsDurationFormatAndItsAbsence_WhenRowsDiffer()
    {
        var file = ResultFileParser.Parse(IngestionFixtures.Stream(IngestionFixtures.DataDrivenTrx));

        Assert.Equal([0.25, 0, 3723], file.Results.Select(r => r.DurationSeconds));
    }

    [Fact]
    public void Parse_ReadsTraitsOutputAndErrors_FromDefinitionsAndRows()
    {
        var file = ResultFileParser.Parse(IngestionFixtures.Stream(IngestionFixtures.DataDrivenTrx));

        var traits = file.Traits["Calc.Tests.DivideTests.Divide"];
        Assert.Equal(["Math"], traits["Category"]);
        Assert.Equal(["7"], traits["PlanId"]);
        var failed = file.Results[1];
        Assert.Equal(("DivideByZeroException", "at Divide()", "[stderr]\ndividing by zero"), (failed.ErrorMessage, failed.StackTrace, failed.Output));
    }

    [Fact]
    public void Parse_FallsBackToTestName_WhenDefinitionIsMissing()
    {
        const string trx = """
            <TestRun xmlns="http://microsoft.com/schemas/VisualStudio/TeamTest/2010"><Results>
              <UnitTestResult executionId="x" testId="nowhere" testName="Ns.Class.Method(a: 1)" outcome="Timeout" />
            </Results></TestRun>
            """;

        var result = Assert.Single(ResultFileParser.Parse(IngestionFixtures.Stream(trx)).Results);

        Assert.Equal(("Ns.Class.Method", TestOutcome.Failed), (result.FullyQualifiedName, result.Outcome));
    }

    [Fact]
    public void Parse_ReadsTenThousandResults_WithDefinitionsAfterResults()
    {
        var file = ResultFileParser.Parse(IngestionFixtures.Stream(IngestionFixtures.Trx(10_000)));

        Assert.Equal((10_000, 1_000), (file.Results.Count, file.Failed));
        Assert.Equal("N.C.T9999", file.Results[^1].FullyQualifiedName);
    }
}
