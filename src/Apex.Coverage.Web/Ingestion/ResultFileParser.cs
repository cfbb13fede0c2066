using System.Xml;
using Apex.Coverage.Web.Results;

namespace Apex.Coverage.Web.Ingestion;

/// <summary>
/// Reads a TRX or JUnit XML file as a stream (never a whole-document DOM) and tells the two apart
/// by the root element and its namespace. DTDs are refused outright, so external entities and
/// entity expansion (XXE, billion laughs) are never resolved.
/// </summary>
public static class ResultFileParser
{
    public const string TrxNamespace = "http://microsoft.com/schemas/VisualStudio/TeamTest/2010";

    private static readonly XmlReaderSettings Settings = new()
    {
        DtdProcessing = DtdProcessing.Prohibit,
        XmlResolver = null,
        // Defence in depth: with DTDs prohibited no entity can be declared, but should that ever
        // change, expansion still cannot grow past this.
        MaxCharactersFromEntities = 1024,
        IgnoreComments = true,
        IgnoreProcessingInstructions = true,
        IgnoreWhitespace = true,
        CloseInput = false,
    };

    /// <summary>Parses the file, stopping with a 413 once it holds more than <paramref name="maxResults"/> results,
    /// and applies <see cref="ResultLimits"/> (names cut, durations clamped).</summary>
    public static ParsedResultFile Parse(Stream stream, int maxResults = int.MaxValue)
    {
        using var reader = XmlReader.Create(stream, Settings);
        try
        {
            reader.MoveToContent();
            return ResultLimits.Apply((reader.LocalName, reader.NamespaceURI) switch
            {
                ("TestRun", TrxNamespace) => TrxReader.Read(reader, maxResults),
                ("testsuites" or "testsuite", "") => JUnitReader.Read(reader, maxResults),
                _ => throw UnknownRoot(reader),
            });
        }
        catch (XmlException ex)
        {
            throw NotReadable(ex);
        }
    }

    private static ResultFileException UnknownRoot(XmlReader reader)
    {
        var name = reader.NamespaceURI.Length == 0 ? reader.LocalName : $"{reader.LocalName} (namespace {reader.NamespaceURI})";
        return ResultFileException.BadFile(
            "Not a TRX or JUnit XML file",
            $"The root element is <{name}>. Post a TRX file (root <TestRun> in namespace {TrxNamespace}, "
            + "from 'dotnet test --logger trx') or a JUnit XML file (root <testsuites> or <testsuite>).");
    }

    private static ResultFileException NotReadable(XmlException ex)
    {
        var where = ex.LineNumber > 0 ? $" (line {ex.LineNumber}, position {ex.LinePosition})" : string.Empty;
        if (ex.Message.Contains("DTD", StringComparison.Ordinal))
        {
            return ResultFileException.BadFile(
                "DTD not allowed",
                $"The file declares a DTD (<!DOCTYPE ...>){where}. Result files never need one, and DTDs and their entities "
                + "are not processed here for safety; remove the DOCTYPE and post the file again.", ex);
        }

        return ResultFileException.BadFile(
            "Result file is not well-formed XML",
            $"The XML could not be read{where}: {ex.Message} If the file was cut short, check that the test run finished "
            + "writing it before the upload step.", ex);
    }
}
