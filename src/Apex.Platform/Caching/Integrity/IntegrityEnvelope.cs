using System.Security.Cryptography;
using System.Text;

namespace Apex.Platform.Caching.Integrity;

/// <summary>
/// The format of a verified cache value: "APX|{schema version}|{checksum}|{payload}", the checksum
/// being the first 16 hex digits of SHA-256 over the schema version and the payload. Anything else
/// found under a verified key - a truncated write, a flipped byte, another application's value, an
/// older schema - is rejected with the reason, never deserialized.
/// </summary>
public static class IntegrityEnvelope
{
    private const string Magic = "APX";

    public static string Seal(int schemaVersion, string payload) => $"{Magic}|{schemaVersion}|{Checksum(schemaVersion, payload)}|{payload}";

    public static Opened Open(string? raw, int expectedSchema)
    {
        if (raw is null) return new Opened(null, null);
        var parts = raw.Split('|', 4);
        if (parts.Length != 4 || parts[0] != Magic || !int.TryParse(parts[1], out var schema)) return new Opened(null, CorruptionReason.Foreign);
        if (parts[2] != Checksum(schema, parts[3])) return new Opened(null, CorruptionReason.Checksum);
        return schema == expectedSchema ? new Opened(parts[3], null) : new Opened(null, CorruptionReason.Schema);
    }

    private static string Checksum(int schemaVersion, string payload) =>
        Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes($"{schemaVersion}|{payload}")))[..16];

    /// <summary>The payload when the value is sound, else the reason it is not (both null: no value).</summary>
    public sealed record Opened(string? Payload, CorruptionReason? Corruption);
}

public enum CorruptionReason
{
    /// <summary>Not in our envelope at all: another writer's value or a truncated one.</summary>
    Foreign,

    /// <summary>In our envelope but the bytes changed after sealing.</summary>
    Checksum,

    /// <summary>Sound, but written by a schema version this instance does not read.</summary>
    Schema,

    /// <summary>Checksum fine, yet the payload does not deserialize.</summary>
    Payload,
}
