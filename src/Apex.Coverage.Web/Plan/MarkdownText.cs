using System.Text;
using Markdig.Extensions.Tables;
using Markdig.Syntax;
using Markdig.Syntax.Inlines;

namespace Apex.Coverage.Web.Plan;

/// <summary>A "**Label:** text" line of a paragraph; Label is empty when the line has none.</summary>
internal sealed record LabelledLine(string Label, string Text, int Line);

/// <summary>Plain text out of Markdig's syntax tree; lines are 1-based.</summary>
internal static class MarkdownText
{
    public static int LineOf(MarkdownObject node) => node.Line + 1;

    public static string Of(LeafBlock block) => Of(block.Inline);

    public static string Of(Inline? inline)
    {
        var text = new StringBuilder();
        Append(text, inline);
        return Normalize(text.ToString());
    }

    public static string Of(TableCell cell) =>
        Normalize(string.Join(' ', cell.Descendants<LeafBlock>().Select(Of)));

    /// <summary>The paragraph lines of a list item or quote, each split into label and text.</summary>
    public static IEnumerable<LabelledLine> LabelledLines(ContainerBlock container) =>
        container.Descendants<ParagraphBlock>().SelectMany(LabelledLines);

    public static IEnumerable<LabelledLine> LabelledLines(ParagraphBlock paragraph)
    {
        var segment = new List<Inline>();
        for (var inline = paragraph.Inline?.FirstChild; inline is not null; inline = inline.NextSibling)
        {
            if (inline is LineBreakInline)
            {
                if (ToLabelled(segment) is { } line)
                {
                    yield return line;
                }

                segment = [];
                continue;
            }

            segment.Add(inline);
        }

        if (ToLabelled(segment) is { } last)
        {
            yield return last;
        }
    }

    private static LabelledLine? ToLabelled(List<Inline> segment)
    {
        if (segment.Count == 0)
        {
            return null;
        }

        var line = LineOf(segment[0]);
        if (segment[0] is EmphasisInline emphasis)
        {
            var label = Of(emphasis);
            var rest = Normalize(string.Concat(segment.Skip(1).Select(Raw)));
            if (label.EndsWith(':'))
            {
                return new LabelledLine(label.TrimEnd(':').Trim(), rest, line);
            }

            if (rest.StartsWith(':'))
            {
                return new LabelledLine(label, rest[1..].Trim(), line);
            }
        }

        var text = Normalize(string.Concat(segment.Select(Raw)));
        return text.Length == 0 ? null : new LabelledLine("", text, line);
    }

    private static string Raw(Inline inline)
    {
        var text = new StringBuilder();
        Append(text, inline);
        return text.ToString();
    }

    private static void Append(StringBuilder text, Inline? inline)
    {
        switch (inline)
        {
            case null:
                return;
            case LiteralInline literal:
                text.Append(literal.Content.AsSpan());
                return;
            case CodeInline code:
                text.Append(code.Content);
                return;
            case LineBreakInline:
                text.Append(' ');
                return;
            case HtmlEntityInline entity:
                text.Append(entity.Transcoded.AsSpan());
                return;
            case AutolinkInline autolink:
                text.Append(autolink.Url);
                return;
            case ContainerInline container:
                for (var child = container.FirstChild; child is not null; child = child.NextSibling)
                {
                    Append(text, child);
                }

                return;
        }
    }

    private static string Normalize(string text) =>
        string.Join(' ', text.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries));
}
