using System.Xml;
using Apex.Coverage.Web.Results;
using Apex.Coverage.Web.Runs;

namespace Apex.Coverage.Web.Ingestion;

/// <summary>
/// Streams JUnit XML as Surefire, pytest, Jest and JunitXml.TestLogger write it: a
/// &lt;testsuites&gt; or bare &lt;testsuite&gt; root, suites nested at any depth. Every
/// &lt;testcase&gt; is one result; counts are recomputed from them, never taken from the suites'
/// own counters (which are often wrong).
/// </summary>
internal static class JUnitReader
{
    private sealed class Case(string className, string name)
    {
        public string ClassName { get; } = className;

        public string Name { get; } = name;

        public double Seconds { get; set; }

        public TestOutcome Outcome { get; set; } = TestOutcome.Passed;

        public string? Message { get; set; }

        public string? StackTrace { get; set; }

        public string? StdOut { get; set; }

        public string? StdErr { get; set; }

        public List<(string Name, string Value)> Properties { get; } = [];
    }

    public static ParsedResultFile Read(XmlReader reader, int maxResults = int.MaxValue)
    {
        var results = new List<ParsedResult>();
        var keys = new Dictionary<string, int>(StringComparer.Ordinal);
        var traits = new TraitCollector();
        while (!reader.EOF)
        {
            if (reader.NodeType == XmlNodeType.Element && reader.LocalName == "testcase" && reader.NamespaceURI.Length == 0)
            {
                var testCase = ReadCase(reader);
                results.Add(ToResult(testCase, keys, traits));
                if (results.Count > maxResults)
                {
                    throw ResultFileException.TooManyResults(maxResults);
                }

                continue;
            }

            reader.Read();
        }

        return new ParsedResultFile(ResultFileFormat.JUnit, results, traits.ToReadOnly());
    }

    /// <summary>Reads one testcase and leaves the reader after it.</summary>
    private static Case ReadCase(XmlReader reader)
    {
        var testCase = new Case(reader.GetAttribute("classname") ?? string.Empty, reader.GetAttribute("name") ?? "(unnamed)")
        {
            Seconds = ResultText.Seconds(reader.GetAttribute("time")),
        };
        if (reader.IsEmptyElement)
        {
            reader.Read();
            return testCase;
        }

        ResultText.ReadChildren(reader, child => ReadChild(child, testCase));
        return testCase;
    }

    /// <summary>True when it consumed the element (the reader is already past it).</summary>
    private static bool ReadChild(XmlReader reader, Case testCase)
    {
        switch (reader.LocalName)
        {
            case "failure" or "error":
                testCase.Outcome = TestOutcome.Failed;
                testCase.Message = ResultText.Cut(reader.GetAttribute("message"));
                testCase.StackTrace = ResultText.ReadElementText(reader);
                testCase.Message ??= FirstLine(testCase.StackTrace);
                return true;
            case "skipped":
                if (testCase.Outcome != TestOutcome.Failed)
                {
                    testCase.Outcome = TestOutcome.Skipped;
                    testCase.Message = ResultText.Cut(reader.GetAttribute("message"));
                }

                return false;
            case "system-out":
                testCase.StdOut = ResultText.ReadElementText(reader);
                return true;
            case "system-err":
                testCase.StdErr = ResultText.ReadElementText(reader);
                return true;
            case "property" when reader.GetAttribute("name") is { Length: > 0 } name:
                testCase.Properties.Add((name, reader.GetAttribute("value") ?? string.Empty));
                return false;
            default:
                return false;
        }
    }

    private static ParsedResult ToResult(Case testCase, Dictionary<string, int> keys, TraitCollector traits)
    {
        var prefix = testCase.ClassName.Length > 0 ? testCase.ClassName + "." : string.Empty;
        var fullyQualifiedName = prefix + ResultText.WithoutArguments(testCase.Name);
        var displayName = prefix + testCase.Name;
        foreach (var (name, value) in testCase.Properties)
        {
            traits.Add(fullyQualifiedName, name, value);
        }

        return new ParsedResult(
            ResultText.UniqueKey(displayName, keys), fullyQualifiedName, displayName, testCase.Outcome, testCase.Seconds,
            testCase.Message, testCase.StackTrace, ResultText.JoinOutput(testCase.StdOut, testCase.StdErr));
    }

    private static string? FirstLine(string? text) =>
        text is null ? null : text.Split('\n', 2)[0].Trim() is { Length: > 0 } line ? line : null;
}
