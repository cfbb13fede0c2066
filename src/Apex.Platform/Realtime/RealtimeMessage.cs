namespace Apex.Platform.Realtime;

/// <summary>The JSON envelope of every WebSocket message, both ways.</summary>
public sealed record RealtimeMessage(string Type, string? Payload = null, string? ConnectionId = null, Guid? UserId = null);
