using System.Globalization;
using System.Xml;

namespace Apex.Coverage.Web.CodeCoverage;

/// <summary>A Cobertura report that cannot be read; the message says why, for the run's note.</summary>
public sealed class CoverageReportException(string message, Exception? inner = null) : Exception(message, inner);

/// <summary>One line of a class as the report counts it.</summary>
public sealed record CoberturaLine(int Number, int Hits, int BranchesCovered, int BranchesValid);

/// <summary>One class of one package: its source file and its lines (the class's own, not its methods' copies).</summary>
public sealed record CoberturaClass(string Package, string Name, string FileName, IReadOnlyList<CoberturaLine> Lines);

/// <summary>
/// Reads a Cobertura report (as coverlet writes it) forward-only: a report of the whole platform
/// can be tens of megabytes, and it comes from a test process, so it is untrusted input — no DTD,
/// no resolver, and anything that is not a Cobertura document is refused with a reason.
/// </summary>
public static class CoberturaReader
{
    private static readonly XmlReaderSettings Settings = new()
    {
        DtdProcessing = DtdProcessing.Prohibit,
        XmlResolver = null,
        IgnoreComments = true,
        IgnoreWhitespace = true,
        MaxCharactersInDocument = 1L << 30,
        Async = true,
    };

    /// <exception cref="CoverageReportException">The file is not a readable Cobertura report.</exception>
    public static async Task<IReadOnlyList<CoberturaClass>> ReadAsync(Stream stream, CancellationToken cancellationToken)
    {
        try
        {
            using var reader = XmlReader.Create(stream, Settings);
            if (await reader.MoveToContentAsync() != XmlNodeType.Element || reader.LocalName != "coverage")
            {
                throw new CoverageReportException($"The report's root element is <{reader.LocalName}>, not <coverage>: it is not a Cobertura report.");
            }

            var classes = new List<CoberturaClass>();
            string package = "";
            while (await reader.ReadAsync())
            {
                cancellationToken.ThrowIfCancellationRequested();
                if (reader.NodeType != XmlNodeType.Element)
                {
                    continue;
                }

                switch (reader.LocalName)
                {
                    case "package":
                        package = reader.GetAttribute("name") ?? "";
                        break;
                    case "class":
                        classes.Add(await ReadClassAsync(reader, package));
                        break;
                }
            }

            return classes;
        }
        catch (XmlException error)
        {
            throw new CoverageReportException($"The report is not well-formed XML (line {error.LineNumber}): {error.Message}", error);
        }
    }

    private static async Task<CoberturaClass> ReadClassAsync(XmlReader reader, string package)
    {
        var name = reader.GetAttribute("name") ?? "";
        var file = reader.GetAttribute("filename") ?? "";
        var lines = new List<CoberturaLine>();
        if (reader.IsEmptyElement)
        {
            return new CoberturaClass(package, name, file, lines);
        }

        // The class's own <lines><line> sit two levels down; each method repeats its lines deeper
        // (<methods><method><lines><line>), and those copies must not count twice.
        var depth = reader.Depth;
        while (await reader.ReadAsync() && reader.Depth > depth)
        {
            if (reader.NodeType == XmlNodeType.Element && reader.LocalName == "line" && reader.Depth == depth + 2)
            {
                lines.Add(ReadLine(reader, name));
            }
        }

        return new CoberturaClass(package, name, file, lines);
    }

    private static CoberturaLine ReadLine(XmlReader reader, string className)
    {
        var number = Number(reader, "number", className);
        var hits = Number(reader, "hits", className);
        var (covered, valid) = reader.GetAttribute("branch") is { } branch && branch.Equals("true", StringComparison.OrdinalIgnoreCase)
            ? Conditions(reader.GetAttribute("condition-coverage"))
            : (0, 0);
        return new CoberturaLine(number, hits, covered, valid);
    }

    private static int Number(XmlReader reader, string attribute, string className)
    {
        var text = reader.GetAttribute(attribute);
        // Hit counts can pass int.MaxValue in a hot loop; only "was it hit" matters here.
        if (long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var value) && value >= 0)
        {
            return (int)Math.Min(value, int.MaxValue);
        }

        throw new CoverageReportException($"A line of class {className} has {attribute}=\"{text}\", which is not a count.");
    }

    // condition-coverage="50% (1/2)": the part in brackets is covered/valid.
    private static (int Covered, int Valid) Conditions(string? text)
    {
        var open = text?.IndexOf('(', StringComparison.Ordinal) ?? -1;
        var slash = text?.IndexOf('/', StringComparison.Ordinal) ?? -1;
        var close = text?.IndexOf(')', StringComparison.Ordinal) ?? -1;
        if (text is null || open < 0 || slash < open || close < slash
            || !int.TryParse(text.AsSpan(open + 1, slash - open - 1), NumberStyles.None, CultureInfo.InvariantCulture, out var covered)
            || !int.TryParse(text.AsSpan(slash + 1, close - slash - 1), NumberStyles.None, CultureInfo.InvariantCulture, out var valid)
            || covered > valid)
        {
            return (0, 0);
        }

        return (covered, valid);
    }
}
