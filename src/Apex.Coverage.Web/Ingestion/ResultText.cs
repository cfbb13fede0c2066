using System.Globalization;
using System.Text;
using System.Xml;

namespace Apex.Coverage.Web.Ingestion;

/// <summary>Small readers shared by the TRX and JUnit parsers.</summary>
internal static class ResultText
{
    /// <summary>Output, messages and stack traces are kept up to this many characters each.</summary>
    public const int MaxLength = 32 * 1024;

    /// <summary>
    /// The element's text, its child elements' text included (a &lt;failure&gt; may wrap its trace in
    /// markup), cut to <see cref="MaxLength"/>; null when empty. The reader moves past the element.
    /// </summary>
    public static string? ReadElementText(XmlReader reader)
    {
        if (reader.IsEmptyElement)
        {
            reader.Read();
            return null;
        }

        var depth = reader.Depth;
        var text = new StringBuilder();
        reader.Read();
        while (!reader.EOF && !(reader.Depth == depth && reader.NodeType == XmlNodeType.EndElement))
        {
            if (reader.NodeType is XmlNodeType.Text or XmlNodeType.CDATA or XmlNodeType.SignificantWhitespace && text.Length <= MaxLength)
            {
                text.Append(reader.Value, 0, Math.Min(reader.Value.Length, MaxLength + 1 - text.Length));
            }

            reader.Read();
        }

        reader.Read();
        return Cut(text.ToString());
    }

    /// <summary>
    /// Calls <paramref name="read"/> on each element inside the current one, then leaves the reader
    /// after the current element. <paramref name="read"/> returns true when it consumed the element
    /// (and so moved the reader past it itself).
    /// </summary>
    public static void ReadChildren(XmlReader reader, Func<XmlReader, bool> read)
    {
        var depth = reader.Depth;
        reader.Read();
        while (reader.Depth > depth && !reader.EOF)
        {
            if (reader.NodeType == XmlNodeType.Element && read(reader))
            {
                continue;
            }

            reader.Read();
        }

        reader.Read();
    }

    public static string? Cut(string? text)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            return null;
        }

        return text.Length <= MaxLength ? text : string.Concat(text.AsSpan(0, MaxLength), "\n[... cut at 32 KB]");
    }

    /// <summary>"Ns.Class.Method(a: 1)" → "Ns.Class.Method"; "test_sum[1-2]" → "test_sum": rows meet on one test.</summary>
    public static string WithoutArguments(string name)
    {
        foreach (var (open, close) in new[] { ('(', ')'), ('[', ']') })
        {
            var start = name.IndexOf(open, StringComparison.Ordinal);
            if (start > 0 && name.EndsWith(close))
            {
                return name[..start];
            }
        }

        return name;
    }

    /// <summary>Seconds as JUnit writers put them: "1.5", "1,5" (some locales), "1,234.5".</summary>
    public static double Seconds(string? value)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            return 0;
        }

        var text = value.Contains('.', StringComparison.Ordinal) ? value.Replace(",", "", StringComparison.Ordinal) : value.Replace(',', '.');
        return double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var seconds) && seconds >= 0 && double.IsFinite(seconds)
            ? seconds
            : 0;
    }

    public static DateTimeOffset? Timestamp(string? value) =>
        DateTimeOffset.TryParse(value, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var at) ? at : null;

    /// <summary>Standard output, then standard error under a "[stderr]" line; null when both are empty.</summary>
    public static string? JoinOutput(string? stdout, string? stderr) => (stdout, stderr) switch
    {
        (null, null) => null,
        (_, null) => stdout,
        (null, _) => $"[stderr]\n{stderr}",
        _ => $"{stdout}\n[stderr]\n{stderr}",
    };

    /// <summary>Gives each key once: a repeated one becomes "key#2", "key#3" ...</summary>
    public static string UniqueKey(string key, Dictionary<string, int> seen)
    {
        ref var count = ref System.Runtime.InteropServices.CollectionsMarshal.GetValueRefOrAddDefault(seen, key, out _);
        count++;
        return count == 1 ? key : $"{key}#{count}";
    }
}

/// <summary>Traits gathered per fully qualified name (theory rows add to the same test).</summary>
internal sealed class TraitCollector
{
    private readonly Dictionary<string, Dictionary<string, List<string>>> _byTest = new(StringComparer.Ordinal);

    public void Add(string fullyQualifiedName, string name, string value)
    {
        if (!_byTest.TryGetValue(fullyQualifiedName, out var traits))
        {
            _byTest[fullyQualifiedName] = traits = new Dictionary<string, List<string>>(StringComparer.Ordinal);
        }

        if (!traits.TryGetValue(name, out var values))
        {
            traits[name] = values = [];
        }

        if (!values.Contains(value, StringComparer.Ordinal))
        {
            values.Add(value);
        }
    }

    public IReadOnlyDictionary<string, IReadOnlyDictionary<string, IReadOnlyList<string>>> ToReadOnly() =>
        _byTest.ToDictionary(
            t => t.Key,
            t => (IReadOnlyDictionary<string, IReadOnlyList<string>>)t.Value.ToDictionary(v => v.Key, v => (IReadOnlyList<string>)v.Value, StringComparer.Ordinal),
            StringComparer.Ordinal);
}
