using System.IO.Compression;
using System.Runtime.CompilerServices;
using System.Text;
using Apex.Coverage.Web.Results;

namespace Apex.Coverage.Tests.Ingestion;

/// <summary>
/// The real result files under Ingestion/Fixtures (read from the source tree, where the commands
/// in Fixtures/README.md made them) and small hand-written files for the cases they lack.
/// </summary>
public static class IngestionFixtures
{
    public const string XunitTrx = "xunit-fixture.trx";
    public const string XunitJUnit = "xunit-fixture-junit.xml";
    public const string PytestJUnit = "pytest-junit.xml";

    public static string PathOf(string name) => Path.Combine(FixturesFolder.Value, name);

    public static byte[] Bytes(string name) => File.ReadAllBytes(PathOf(name));

    public static MemoryStream Stream(string text) => new(Encoding.UTF8.GetBytes(text));

    public static byte[] Gzip(byte[] content)
    {
        using var output = new MemoryStream();
        using (var gzip = new GZipStream(output, CompressionLevel.SmallestSize, leaveOpen: true))
        {
            gzip.Write(content);
        }

        return output.ToArray();
    }

    /// <summary>An MSTest-style data-driven result: a parent with InnerResults rows, definitions first, a
    /// row without a duration, an assembly-qualified class name and traits as TestCategory and Properties.</summary>
    public const string DataDrivenTrx = """
        <?xml version="1.0" encoding="utf-8"?>
        <TestRun id="1" name="dd" xmlns="http://microsoft.com/schemas/VisualStudio/TeamTest/2010">
          <TestDefinitions>
            <UnitTest name="Divide" id="t-1">
              <TestCategory><TestCategoryItem TestCategory="Math" /></TestCategory>
              <Properties><Property><Key>PlanId</Key><Value>7</Value></Property></Properties>
              <TestMethod className="Calc.Tests.DivideTests, Calc.Tests, Version=1.0.0.0, Culture=neutral" name="Divide" />
            </UnitTest>
          </TestDefinitions>
          <Results>
            <UnitTestResult executionId="e-parent" testId="t-1" testName="Divide" duration="00:00:01.5000000" outcome="Failed" resultType="DataDrivenTest">
              <InnerResults>
                <UnitTestResult executionId="e-row1" parentExecutionId="e-parent" testId="t-1" testName="Divide (6,3)" duration="00:00:00.2500000" outcome="Passed" resultType="DataDrivenDataRow" />
                <UnitTestResult executionId="e-row2" parentExecutionId="e-parent" testId="t-1" testName="Divide (1,0)" outcome="Failed" resultType="DataDrivenDataRow">
                  <Output><StdErr>dividing by zero</StdErr><ErrorInfo><Message>DivideByZeroException</Message><StackTrace>at Divide()</StackTrace></ErrorInfo></Output>
                </UnitTestResult>
                <UnitTestResult executionId="e-row3" parentExecutionId="e-parent" testId="t-1" testName="Divide (9,3)" duration="01:02:03.0000000" outcome="NotExecuted" resultType="DataDrivenDataRow" />
              </InnerResults>
            </UnitTestResult>
          </Results>
        </TestRun>
        """;

    /// <summary>Surefire-style: a bare testsuite root, a nested suite, comma decimals, wrong counters.</summary>
    public const string NestedJUnit = """
        <?xml version="1.0" encoding="UTF-8"?>
        <testsuite name="outer" tests="99" failures="0" errors="0" skipped="0" time="1,5">
          <testcase classname="com.acme.CartTest" name="addsItem" time="0,25" />
          <testsuite name="inner">
            <testcase classname="com.acme.CartTest" name="removesItem" time="1,234.5">
              <error message="NullPointerException" type="java.lang.NullPointerException"><![CDATA[java.lang.NullPointerException
            at com.acme.Cart.remove(Cart.java:42)]]></error>
              <system-out>removing</system-out>
              <system-err>warn: empty cart</system-err>
            </testcase>
            <testcase classname="com.acme.CartTest" name="checksOut" time="abc">
              <skipped message="not on CI" />
            </testcase>
            <testcase name="looseTest">
              <failure>expected true</failure>
            </testcase>
          </testsuite>
        </testsuite>
        """;

    public static string Trx(int results, string? marker = null)
    {
        var text = new StringBuilder();
        text.Append("""<TestRun xmlns="http://microsoft.com/schemas/VisualStudio/TeamTest/2010"><Results>""");
        for (var i = 0; i < results; i++)
        {
            text.Append($"""<UnitTestResult executionId="{marker}e{i}" testId="t{i}" testName="N.C.T{i}" duration="00:00:00.0100000" outcome="{(i % 10 == 0 ? "Failed" : "Passed")}" />""");
        }

        text.Append("</Results><TestDefinitions>");
        for (var i = 0; i < results; i++)
        {
            text.Append($"""<UnitTest id="t{i}" name="T{i}"><TestMethod className="N.C" name="T{i}" /></UnitTest>""");
        }

        return text.Append("</TestDefinitions></TestRun>").ToString();
    }

    private static readonly Lazy<string> FixturesFolder = new(FindFixtures);

    // The source tree this file was compiled from; should a build map source paths away, the repo
    // found above the test's output or working directory.
    private static string FindFixtures()
    {
        var beside = Path.Combine(Path.GetDirectoryName(ThisFile())!, "Fixtures");
        if (Directory.Exists(beside))
        {
            return beside;
        }

        foreach (var start in new[] { AppContext.BaseDirectory, Directory.GetCurrentDirectory() })
        {
            for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
            {
                var candidate = Path.Combine(dir.FullName, "tests", "Apex.Coverage.Tests", "Ingestion", "Fixtures");
                if (Directory.Exists(candidate))
                {
                    return candidate;
                }
            }
        }

        throw new DirectoryNotFoundException($"Ingestion fixtures not found beside {ThisFile()} nor above {AppContext.BaseDirectory}.");
    }

    private static string ThisFile([CallerFilePath] string path = "") => path;
}
