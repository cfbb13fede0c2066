using System.Globalization;
using System.Text.RegularExpressions;

namespace Apex.Coverage.Web.Ingestion;

/// <summary>
/// Undoes the escaping VSTest's TRX logger applies to characters outside the BMP: XML cannot hold
/// either half of a surrogate pair on its own, so the logger writes each half as <c>\udXXX</c>
/// (an NUnit case <c>Accepts("🛒")</c> becomes <c>Accepts("\ud83d\uded2")</c>). Only a complete
/// pair is turned back into its character, so a name that merely contains the text <c>\u</c> stays
/// as written, and the same test from a CI upload and a dashboard run is one test.
/// </summary>
internal static partial class TrxEscapes
{
    public static string Unescape(string text) =>
        text.Contains("\\u", StringComparison.OrdinalIgnoreCase) ? EscapedSurrogatePair().Replace(text, Pair) : text;

    public static string? UnescapeOrNull(string? text) => text is null ? null : Unescape(text);

    private static string Pair(Match match) => new([Half(match.Groups[1].Value), Half(match.Groups[2].Value)]);

    private static char Half(string hex) => (char)int.Parse(hex, NumberStyles.HexNumber, CultureInfo.InvariantCulture);

    [GeneratedRegex(@"\\u(d[89ab][0-9a-f]{2})\\u(d[c-f][0-9a-f]{2})", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex EscapedSurrogatePair();
}
