using System.Globalization;
using System.Xml;
using Apex.Coverage.Web.Results;
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

    private sealed class ResultBody
    {
        public bool HasRows { get; set; }

        public string? Message { get; set; }

        public string? StackTrace { get; set; }

        public string? StdOut { get; set; }

        public string? StdErr { get; set; }
    }

    private sealed class DefinitionBody
    {
        public string ClassName { get; set; } = string.Empty;

        public string MethodName { get; set; } = string.Empty;

        /// <summary>A Properties/Property Key seen, waiting for its Value.</summary>
        public string? PendingKey { get; set; }

        public List<(string Name, string Value)> Traits { get; } = [];
    }

    private sealed record PendingResult(
        string? ExecutionId, string? TestId, string TestName, TestOutcome Outcome, double Duration,
        DateTimeOffset? StartedAt, DateTimeOffset? FinishedAt, string? Message, string? StackTrace, string? Output);

    public static ParsedResultFile Read(XmlReader reader, int maxResults = int.MaxValue)
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
                    if (pending.Count > maxResults)
                    {
                        throw ResultFileException.TooManyResults(maxResults);
                    }

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
        var result = ResultAttributes(reader);
        if (reader.IsEmptyElement)
        {
            pending.Add(result);
            reader.Read();
            return;
        }

        var body = new ResultBody();
        ResultText.ReadChildren(reader, child => ReadResultChild(child, body, pending));
        if (!body.HasRows)
        {
            pending.Add(result with { Message = body.Message, StackTrace = body.StackTrace, Output = ResultText.JoinOutput(body.StdOut, body.StdErr) });
        }
    }

    private static PendingResult ResultAttributes(XmlReader reader)
    {
        var started = ResultText.Timestamp(reader.GetAttribute("startTime"));
        var finished = ResultText.Timestamp(reader.GetAttribute("endTime"));
        return new PendingResult(
            reader.GetAttribute("executionId"), reader.GetAttribute("testId"), TrxEscapes.UnescapeOrNull(reader.GetAttribute("testName")) ?? "(unnamed)",
            OutcomeOf(reader.GetAttribute("outcome")), DurationOf(reader.GetAttribute("duration"), started, finished),
            started, finished, null, null, null);
    }

    private static bool ReadResultChild(XmlReader reader, ResultBody body, List<PendingResult> pending)
    {
        if (reader.NamespaceURI != Ns)
        {
            return false;
        }

        switch (reader.LocalName)
        {
            case "UnitTestResult":
                body.HasRows = true;
                ReadResult(reader, pending);
                return true;
            case "Message":
                body.Message = ResultText.ReadElementText(reader);
                return true;
            case "StackTrace":
                body.StackTrace = ResultText.ReadElementText(reader);
                return true;
            case "StdOut":
                body.StdOut = ResultText.ReadElementText(reader);
                return true;
            case "StdErr":
                body.StdErr = ResultText.ReadElementText(reader);
                return true;
            default:
                return false;
        }
    }

    private static void ReadDefinition(XmlReader reader, Dictionary<string, Definition> definitions)
    {
        var id = reader.GetAttribute("id");
        var definition = new DefinitionBody { MethodName = TrxEscapes.UnescapeOrNull(reader.GetAttribute("name")) ?? string.Empty };
        if (reader.IsEmptyElement)
        {
            reader.Read();
            return;
        }

        ResultText.ReadChildren(reader, child => ReadDefinitionChild(child, definition));
        if (id is not null)
        {
            definitions[id] = new Definition(definition.ClassName, definition.MethodName, definition.Traits);
        }
    }

    private static bool ReadDefinitionChild(XmlReader reader, DefinitionBody definition)
    {
        if (reader.NamespaceURI != Ns)
        {
            return false;
        }

        switch (reader.LocalName)
        {
            case "TestMethod":
                definition.ClassName = ClassNameOf(TrxEscapes.UnescapeOrNull(reader.GetAttribute("className")));
                definition.MethodName = TrxEscapes.UnescapeOrNull(reader.GetAttribute("name")) ?? definition.MethodName;
                return false;
            case "TestCategoryItem" when reader.GetAttribute("TestCategory") is { } category:
                definition.Traits.Add(("Category", category));
                return false;
            case "Key":
                definition.PendingKey = reader.ReadElementContentAsString();
                return true;
            case "Value" when definition.PendingKey is { } key:
                definition.Traits.Add((key, reader.ReadElementContentAsString()));
                definition.PendingKey = null;
                return true;
            default:
                return false;
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
