using Apex.Coverage.Web.Ingestion;
using Apex.Coverage.Web.Results;
using Apex.Coverage.Web.Runs;

namespace Apex.Coverage.Tests.Ingestion;

public sealed class JUnitReaderTests
{
    [Fact]
    public void Parse_ReadsJunitXmlTestLoggerFile_WithTraitsAndTheoryRows()
    {
        using var stream = File.OpenRead(IngestionFixtures.PathOf(IngestionFixtures.XunitJUnit));

        var file = ResultFileParser.Parse(stream);

        Assert.Equal(ResultFileFormat.JUnit, file.Format);
        Assert.Equal((6, 4, 1, 1), (file.Results.Count, file.Passed, file.Failed, file.Skipped));
        const string theory = "Apex.Fixture.Results.CheckoutTests.Add_ReturnsSum_ForEachRow";
        Assert.Equal(3, file.Results.Count(r => r.FullyQualifiedName == theory));
        Assert.Equal(["1", "4"], file.Traits[theory]["PlanId"]);
        Assert.Equal(["Auth"], file.Traits["Apex.Fixture.Results.CheckoutTests.Login_Succeeds_WhenPasswordIsRight"]["Category"]);
    }

    [Fact]
    public void Parse_MeetsTrxOnSameNames_ForTheSameSuite()
    {
        using var trx = File.OpenRead(IngestionFixtures.PathOf(IngestionFixtures.XunitTrx));
        using var junit = File.OpenRead(IngestionFixtures.PathOf(IngestionFixtures.XunitJUnit));

        var fromTrx = ResultFileParser.Parse(trx).Results.Select(r => (r.FullyQualifiedName, r.Outcome)).Order();
        var fromJUnit = ResultFileParser.Parse(junit).Results.Select(r => (r.FullyQualifiedName, r.Outcome)).Order();

        Assert.Equal(fromTrx, fromJUnit);
    }

    [Fact]
    public void Parse_ReadsFailureMessageAndStack_FromJunitXmlTestLogger()
    {
        using var stream = File.OpenRead(IngestionFixtures.PathOf(IngestionFixtures.XunitJUnit));

        var failed = Assert.Single(ResultFileParser.Parse(stream).Results, r => r.Outcome == TestOutcome.Failed);

        Assert.Equal("Assert.Equal() Failure: Values differ\nExpected: 10\nActual:   9", failed.ErrorMessage);
        Assert.Contains("CheckoutTests.cs:line 16", failed.StackTrace, StringComparison.Ordinal);
        Assert.Equal(0.022, failed.DurationSeconds, 6);
    }

    [Fact]
    public void Parse_ReadsPytestFile_WithErrorSkipAndCapturedOutput()
    {
        using var stream = File.OpenRead(IngestionFixtures.PathOf(IngestionFixtures.PytestJUnit));

        var file = ResultFileParser.Parse(stream);

        Assert.Equal((6, 3, 2, 1), (file.Results.Count, file.Passed, file.Failed, file.Skipped));
        var error = Assert.Single(file.Results, r => r.FullyQualifiedName == "test_pytest_fixture.test_error_in_fixture");
        Assert.Equal(TestOutcome.Failed, error.Outcome);
        Assert.Contains("fixture setup exploded", error.ErrorMessage, StringComparison.Ordinal);
        var failed = Assert.Single(file.Results, r => r.FullyQualifiedName == "test_pytest_fixture.TestCart.test_discount_fails_on_purpose");
        Assert.Contains("cart has 2 items", failed.Output, StringComparison.Ordinal);
        Assert.Contains("[stderr]", failed.Output, StringComparison.Ordinal);
        Assert.Equal(2, file.Results.Count(r => r.FullyQualifiedName == "test_pytest_fixture.TestCart.test_sum_rows"));
        Assert.Equal("tax service not available", Assert.Single(file.Results, r => r.Outcome == TestOutcome.Skipped).ErrorMessage);
    }

    [Fact]
    public void Parse_RecomputesCountsFromCases_WhenSuiteCountersAreWrong()
    {
        var file = ResultFileParser.Parse(IngestionFixtures.Stream(IngestionFixtures.NestedJUnit));

        Assert.Equal((4, 1, 2, 1), (file.Results.Count, file.Passed, file.Failed, file.Skipped));
    }

    [Fact]
    public void Parse_ReadsNestedSuitesAndCommaTimes_WhenRootIsBareTestsuite()
    {
        var file = ResultFileParser.Parse(IngestionFixtures.Stream(IngestionFixtures.NestedJUnit));

        Assert.Equal(["com.acme.CartTest.addsItem", "com.acme.CartTest.removesItem", "com.acme.CartTest.checksOut", "looseTest"],
            file.Results.Select(r => r.FullyQualifiedName));
        Assert.Equal([0.25, 1234.5, 0, 0], file.Results.Select(r => r.DurationSeconds));
    }

    [Fact]
    public void Parse_ReadsErrorOutputAndFailureText_FromNestedCase()
    {
        var file = ResultFileParser.Parse(IngestionFixtures.Stream(IngestionFixtures.NestedJUnit));

        var error = file.Results[1];
        Assert.Equal("NullPointerException", error.ErrorMessage);
        Assert.Contains("Cart.java:42", error.StackTrace, StringComparison.Ordinal);
        Assert.Equal("removing\n[stderr]\nwarn: empty cart", error.Output);
        Assert.Equal("expected true", file.Results[3].ErrorMessage);
        Assert.Equal("not on CI", file.Results[2].ErrorMessage);
    }

    [Fact]
    public void Parse_KeysRepeatedCasesApart_WhenNamesRepeat()
    {
        const string junit = """<testsuites><testsuite><testcase classname="A" name="b" /><testcase classname="A" name="b" /></testsuite></testsuites>""";

        var file = ResultFileParser.Parse(IngestionFixtures.Stream(junit));

        Assert.Equal(["A.b", "A.b#2"], file.Results.Select(r => r.ResultKey));
    }

    [Theory]
    [InlineData("1.5", 1.5)]
    [InlineData("1,5", 1.5)]
    [InlineData("1,234.5", 1234.5)]
    [InlineData("", 0)]
    [InlineData("-3", 0)]
    [InlineData("NaN", 0)]
    public void Seconds_ReadsDecimalSeconds_InEitherNotation(string text, double expected) =>
        Assert.Equal(expected, ResultText.Seconds(text), 6);
}
