using System.Buffers.Binary;
using System.Security.Cryptography;

namespace Apex.Platform.Auth.TwoFactor;

/// <summary>
/// TOTP as RFC 6238 defines it: HOTP (RFC 4226) over the number of whole periods since the Unix
/// epoch, with dynamic truncation to a number of decimal digits.
/// </summary>
public static class Totp
{
    public static readonly TimeSpan Period = TimeSpan.FromSeconds(30);

    public static long StepAt(DateTimeOffset time, TimeSpan period) => time.ToUnixTimeSeconds() / (long)period.TotalSeconds;

    public static string Compute(byte[] secret, long step, int digits = 6, string algorithm = "SHA1")
    {
        Span<byte> counter = stackalloc byte[8];
        BinaryPrimitives.WriteInt64BigEndian(counter, step);
        var hash = algorithm switch
        {
            "SHA1" => HMACSHA1.HashData(secret, counter),
            "SHA256" => HMACSHA256.HashData(secret, counter),
            "SHA512" => HMACSHA512.HashData(secret, counter),
            _ => throw new ArgumentOutOfRangeException(nameof(algorithm), algorithm, "TOTP uses SHA1, SHA256 or SHA512."),
        };
        var offset = hash[^1] & 0x0F;
        var binary = BinaryPrimitives.ReadInt32BigEndian(hash.AsSpan(offset, 4)) & 0x7FFFFFFF;
        var code = binary % (int)Math.Pow(10, digits);
        return code.ToString(System.Globalization.CultureInfo.InvariantCulture).PadLeft(digits, '0');
    }

    /// <summary>The step the code belongs to, allowing one period of clock drift either way; null if none matches.</summary>
    public static long? Match(byte[] secret, string code, DateTimeOffset now)
    {
        var current = StepAt(now, Period);
        for (var step = current - 1; step <= current + 1; step++)
        {
            if (CryptographicOperations.FixedTimeEquals(System.Text.Encoding.ASCII.GetBytes(Compute(secret, step)), System.Text.Encoding.ASCII.GetBytes(code)))
            {
                return step;
            }
        }

        return null;
    }
}

/// <summary>RFC 4648 base32, the encoding authenticator apps expect for the secret.</summary>
public static class Base32
{
    private const string Alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";

    public static string Encode(byte[] data)
    {
        var output = new System.Text.StringBuilder();
        int buffer = 0, bits = 0;
        foreach (var b in data)
        {
            buffer = (buffer << 8) | b;
            bits += 8;
            while (bits >= 5)
            {
                output.Append(Alphabet[(buffer >> (bits - 5)) & 31]);
                bits -= 5;
            }
        }

        if (bits > 0) output.Append(Alphabet[(buffer << (5 - bits)) & 31]);
        return output.ToString();
    }
}
