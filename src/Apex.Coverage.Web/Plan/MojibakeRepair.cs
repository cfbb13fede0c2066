using System.Text;

namespace Apex.Coverage.Web.Plan;

/// <summary>
/// Undoes the classic mojibake of UTF-8 bytes read as Windows-1252 ("âœ…" for ✅, "ðŸ“‹" for 📋),
/// one sequence at a time: a run of characters that maps back to a well-formed UTF-8 sequence is
/// replaced by what it encodes; anything else is left as written. Line breaks are never touched,
/// so line numbers stay those of the file.
/// </summary>
public static class MojibakeRepair
{
    // Windows-1252 bytes 0x80-0x9F; the five bytes it leaves undefined read as the C1 controls.
    private const string HighCodePage =
        "€\u0081‚ƒ„…†‡ˆ‰Š‹Œ\u008DŽ\u008F\u0090‘’“”•–—˜™š›œ\u009DžŸ";

    private static readonly UTF8Encoding StrictUtf8 = new(false, throwOnInvalidBytes: true);

    public static string Repair(string text, out int repairs)
    {
        repairs = 0;
        var output = new StringBuilder(text.Length);
        var i = 0;
        while (i < text.Length)
        {
            var length = SequenceLength(text, i);
            if (length > 0 && TryDecode(text.AsSpan(i, length), out var decoded))
            {
                output.Append(decoded);
                repairs++;
                i += length;
                continue;
            }

            output.Append(text[i]);
            i++;
        }

        return repairs == 0 ? text : output.ToString();
    }

    private static int SequenceLength(string text, int start)
    {
        var lead = ToByte(text[start]);
        var length = lead switch
        {
            >= 0xC2 and <= 0xDF => 2,
            >= 0xE0 and <= 0xEF => 3,
            >= 0xF0 and <= 0xF4 => 4,
            _ => 0,
        };
        if (length == 0 || start + length > text.Length)
        {
            return 0;
        }

        for (var k = 1; k < length; k++)
        {
            if (ToByte(text[start + k]) is < 0x80 or > 0xBF)
            {
                return 0;
            }
        }

        return length;
    }

    private static bool TryDecode(ReadOnlySpan<char> chars, out string decoded)
    {
        Span<byte> bytes = stackalloc byte[4];
        for (var k = 0; k < chars.Length; k++)
        {
            bytes[k] = (byte)ToByte(chars[k]);
        }

        try
        {
            decoded = StrictUtf8.GetString(bytes[..chars.Length]);
            return true;
        }
        catch (DecoderFallbackException)
        {
            decoded = "";
            return false;
        }
    }

    /// <summary>The Windows-1252 byte a character stands for, or -1 when it stands for none.</summary>
    private static int ToByte(char c) => c switch
    {
        >= '\u00A0' and <= '\u00FF' => c,
        _ when HighCodePage.IndexOf(c, StringComparison.Ordinal) is var k and >= 0 => 0x80 + k,
        _ => -1,
    };
}
