using System.Text;
using Markdig;

namespace Apex.Coverage.Web.Plan;

/// <summary>
/// Turns a markdown plan into a <see cref="PlanDocument"/> through Markdig's syntax tree, with the
/// parse errors and lint warnings that the plan gives rise to. Never throws on bad input.
/// </summary>
public static class PlanParser
{
    private static readonly MarkdownPipeline Pipeline = new MarkdownPipelineBuilder().UsePipeTables().Build();
    private static readonly UTF8Encoding StrictUtf8 = new(false, throwOnInvalidBytes: true);

    public static PlanParseResult Parse(ReadOnlySpan<byte> content)
    {
        var preamble = Encoding.UTF8.Preamble;
        if (content.StartsWith(preamble))
        {
            content = content[preamble.Length..];
        }

        try
        {
            return Parse(StrictUtf8.GetString(content));
        }
        catch (DecoderFallbackException ex)
        {
            var offset = Math.Clamp(ex.Index, 0, content.Length);
            var line = content[..offset].Count((byte)'\n') + 1;
            return Rejected(PlanFinding.Error("plan-not-text", line,
                $"The plan file is not UTF-8 text: byte {offset} on line {line} is not valid UTF-8 (a binary file?)."));
        }
    }

    public static PlanParseResult Parse(string source)
    {
        if (string.IsNullOrWhiteSpace(source))
        {
            return Rejected(PlanFinding.Error("plan-empty", 0, "The plan file is empty."));
        }

        if (FirstControlCharacterLine(source) is { } binaryLine)
        {
            return Rejected(PlanFinding.Error("plan-not-text", binaryLine,
                $"The plan file holds control characters on line {binaryLine}: it looks like a binary file, not markdown."));
        }

        var findings = new List<PlanFinding>();
        var text = MojibakeRepair.Repair(source, out var repairs);
        if (repairs > 0)
        {
            findings.Add(PlanFinding.Info("mojibake-repaired", FirstDifferentLine(source, text),
                $"{repairs} character sequences were UTF-8 read as Windows-1252 (such as 'âœ…' for ✅) and have been repaired."));
        }

        var document = Build(text, findings);
        findings.AddRange(PlanLinter.Lint(document));
        return new PlanParseResult(document, [.. findings.OrderBy(f => f.Line)]);
    }

    private static PlanDocument Build(string text, List<PlanFinding> findings)
    {
        var builder = new PlanDocumentBuilder(findings);
        foreach (var block in Markdown.Parse(text, Pipeline))
        {
            builder.Visit(block);
        }

        var document = builder.Build();
        if (document.Items.Count == 0)
        {
            findings.Add(PlanFinding.Error("plan-without-items", 0,
                "The plan has no items: no '#### 1. Name' heading under a '### Category (Tests a-b) - $X MRR' section."));
        }

        return document;
    }

    private static PlanParseResult Rejected(PlanFinding finding) => new(PlanDocument.Empty, [finding]);

    private static int? FirstControlCharacterLine(string text)
    {
        var line = 1;
        foreach (var c in text)
        {
            if (c == '\n')
            {
                line++;
            }
            else if (char.IsControl(c) && c is < '\u0080' and not ('\t' or '\r' or '\f' or '\v'))
            {
                return line;
            }
        }

        return null;
    }

    private static int FirstDifferentLine(string before, string after)
    {
        var a = before.Split('\n');
        var b = after.Split('\n');
        for (var i = 0; i < Math.Min(a.Length, b.Length); i++)
        {
            if (!string.Equals(a[i], b[i], StringComparison.Ordinal))
            {
                return i + 1;
            }
        }

        return 0;
    }
}
