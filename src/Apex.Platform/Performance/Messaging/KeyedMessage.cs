namespace Apex.Platform.Performance.Messaging;

/// <summary>A message with the key its order is kept by (a conversation, a tenant, an agent run).</summary>
public sealed record KeyedMessage(string Key, string Body);
