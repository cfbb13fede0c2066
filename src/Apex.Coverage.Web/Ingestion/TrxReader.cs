using System.Globalization;
using System.Xml;
using Apex.Coverage.Web.Runs;

namespace Apex.Coverage.Web.Ingestion;

/// <summary>
/// Streams a VSTest TRX file. Results come keyed by executionId (theory rows may share a testId);
/// their class names come from TestDefinitions, which a writer may put before or after Results, so
/// each result is buffered as a compact record and resolved once the whole file has been read.
/// </summary>
internal static class TrxReader
{
    private const string Ns = ResultFileParser.TrxNamespace;

    private sealed record Definition(string ClassName, string MethodName, List<(string Name, string Value)> Traits);

    private sealed record PendingResult(
        string? ExecutionId, string? TestId, string TestName, TestOutcome Outcome, double Duration,
        DateTimeOffset? StartedAt, DateTimeOffset? FinishedAt, string? Message, string? StackTrace, string? Output);

    public static ParsedResultFile Read(XmlReader reader)
    {
        var pending = new List<PendingResult>();
        var definitions = new Dictionary<string, Definition>(StringComparer.OrdinalIgnoreCase);
        reader.Read();
        while (!reader.EOF)
        {
            if (reader.NodeType == XmlNodeType.Element && reader.NamespaceURI == Ns)
            {
                if (reader.LocalName == "UnitTestResult")
                {
                    ReadResult(reader, pending);
                    continue;
                }

                if (reader.LocalName == "UnitTest")
                {
                    ReadDefinition(reader, definitions);
                    continue;
                }
            }

            reader.Read();
        }

        return Resolve(pending, definitions);
    }

    /// <summary>Reads one UnitTestResult and leaves the reader after it. A data-driven parent
    /// (one with InnerResults) gives its rows, not itself.</summary>
    private static void ReadResult(XmlReader reader, List<PendingResult> pending)
    {
        var result = new PendingResult(
            reader.GetAttribute("executionId"), reader.GetAttribute("testId"), reader.GetAttribute("testName") ?? "(unnamed)",
            OutcomeOf(reader.GetAttribute("outcome")), 0,
            ResultText.Timestamp(reader.GetAttribute("startTime")), ResultText.Timestamp(reader.GetAttribute("endTime")),
            null, null, null);
        result = result with { Duration = DurationOf(reader.GetAttribute("duration"), result.StartedAt, result.FinishedAt) };
        if (reader.IsEmptyElement)
        {
            pending.Add(result);
            reader.Read();
            return;
        }

        var depth = reader.Depth;
        var hasRows = false;
        string? stdout = null, stderr = null;
        reader.Read();
        while (reader.Depth > depth)
        {
            if (reader.NodeType == XmlNodeType.Element && reader.NamespaceURI == Ns)
            {
                switch (reader.LocalName)
                {
                    case "UnitTestResult":
                        hasRows = true;
                        ReadResult(reader, pending);
                        continue;
                    case "Message":
                        result = result with { Message = ResultText.ReadElementText(reader) };
                        continue;
                    case "StackTrace":
                        result = result with { StackTrace = ResultText.ReadElementText(reader) };
                        continue;
                    case "StdOut":
                        stdout = ResultText.ReadElementText(reader);
                        continue;
                    case "StdErr":
                        stderr = ResultText.ReadElementText(reader);
                        continue;
                }
            }

            reader.Read();
        }

        reader.Read();
        if (!hasRows)
        {
            pending.Add(result with { Output = ResultText.JoinOutput(stdout, stderr) });
        }
    }

    private static void ReadDefinition(XmlReader reader, Dictionary<string, Definition> definitions)
    {
        var id = reader.GetAttribute("id");
        var definition = new Definition(string.Empty, reader.GetAttribute("name") ?? string.Empty, []);
        if (reader.IsEmptyElement)
        {
            reader.Read();
            return;
        }

        var depth = reader.Depth;
        string? key = null;
        reader.Read();
        while (reader.Depth > depth)
        {
            if (reader.NodeType == XmlNodeType.Element && reader.NamespaceURI == Ns)
            {
                switch (reader.LocalName)
                {
                    case "TestMethod":
                        definition = definition with
                        {
                            ClassName = ClassNameOf(reader.GetAttribute("className")),
                            MethodName = reader.GetAttribute("name") ?? definition.MethodName,
                        };
                        break;
                    case "TestCategoryItem" when reader.GetAttribute("TestCategory") is { } category:
                        definition.Traits.Add(("Category", category));
                        break;
                    case "Key":
                        key = reader.ReadElementContentAsString();
                        continue;
                    case "Value" when key is not null:
                        definition.Traits.Add((key, reader.ReadElementContentAsString()));
                        key = null;
                        continue;
                }
            }

            reader.Read();
        }

        reader.Read();
        if (id is not null)
        {
            definitions[id] = definition;
        }
    }

    private static ParsedResultFile Resolve(List<PendingResult> pending, Dictionary<string, Definition> definitions)
    {
        var results = new List<ParsedResult>(pending.Count);
        var keys = new Dictionary<string, int>(StringComparer.Ordinal);
        var traits = new TraitCollector();
        foreach (var p in pending)
        {
            var definition = p.TestId is not null && definitions.TryGetValue(p.TestId, out var d) ? d : null;
            var name = definition is { ClassName.Length: > 0 }
                ? $"{definition.ClassName}.{definition.MethodName}"
                : ResultText.WithoutArguments(p.TestName);
            foreach (var (traitName, value) in definition?.Traits ?? [])
            {
                traits.Add(name, traitName, value);
            }

            results.Add(new ParsedResult(
                ResultText.UniqueKey(p.ExecutionId ?? p.TestName, keys), name, p.TestName, p.Outcome, p.Duration,
                p.Message, p.StackTrace, p.Output, p.StartedAt, p.FinishedAt));
        }

        return new ParsedResultFile(ResultFileFormat.Trx, results, traits.ToReadOnly());
    }

    // MSTest once wrote assembly-qualified class names ("Ns.Class, Assembly, Version=...").
    private static string ClassNameOf(string? className) =>
        className is null ? string.Empty : className.Split(',')[0].Trim();

    private static TestOutcome OutcomeOf(string? outcome) => outcome switch
    {
        "Passed" or "PassedButRunAborted" or "Completed" or "Warning" => TestOutcome.Passed,
        "Failed" or "Error" or "Timeout" or "Aborted" or "Disconnected" => TestOutcome.Failed,
        _ => TestOutcome.Skipped, // NotExecuted, Inconclusive, NotRunnable, Pending, InProgress
    };

    /// <summary>"hh:mm:ss.fffffff" (days may lead: "1.02:03:04"); when absent, end minus start, else 0.</summary>
    private static double DurationOf(string? duration, DateTimeOffset? start, DateTimeOffset? end)
    {
        if (TimeSpan.TryParse(duration, CultureInfo.InvariantCulture, out var span) && span >= TimeSpan.Zero)
        {
            return span.TotalSeconds;
        }

        return start is { } s && end is { } e && e >= s ? (e - s).TotalSeconds : 0;
    }
}
