using System.Text.Json;

namespace Apex.Platform.Realtime.Hub;

/// <summary>
/// The JSON envelope of the hub's text frames, both ways: a type, an optional message id (for
/// deduplication), an optional sequence number (per session or per ordered stream) and the data.
/// </summary>
public sealed record HubFrame(string Type, string? Id = null, long? Seq = null, JsonElement? Data = null)
{
    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public static HubFrame Of(string type, object data, string? id = null, long? seq = null) =>
        new(type, id, seq, JsonSerializer.SerializeToElement(data, Json));

    public static HubFrame Error(string code, string detail, string? id = null) => Of(HubFrameTypes.Error, new { code, detail }, id);

    public T? DataAs<T>() => Data is { } data ? data.Deserialize<T>(Json) : default;

    public byte[] ToUtf8() => JsonSerializer.SerializeToUtf8Bytes(this, Json);
}

/// <summary>The frame types the hub itself sends; handlers add their own.</summary>
public static class HubFrameTypes
{
    public const string Welcome = "welcome";
    public const string Error = "error";
    public const string Message = "message";
    public const string Resync = "resync";
    public const string Throttle = "throttle";
    public const string Ping = "ping";
    public const string Pong = "pong";
    public const string Ack = "ack";
}

/// <summary>Application close codes (4000-4999 are the application's by RFC 6455).</summary>
public static class HubCloseCodes
{
    public const int TokenExpired = 4401;
    public const int HeartbeatTimeout = 4408;
}
