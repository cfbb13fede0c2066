namespace Apex.Platform.Realtime.Hub;

/// <summary>Handles the text frames of the types it names; one instance serves every connection.</summary>
public interface IHubHandler
{
    IReadOnlyCollection<string> Types { get; }

    /// <summary>Runs in the message's own DI scope; what it throws becomes an error frame, the socket stays open.</summary>
    Task HandleAsync(HubMessage message);
}

/// <summary>Handles binary frames (there is at most one).</summary>
public interface IHubBinaryHandler
{
    Task HandleAsync(HubConnection connection, ReadOnlyMemory<byte> payload, IServiceProvider services);
}

/// <summary>Joins in when a connection opens and when it ends (heartbeat, delivery, leader election...).</summary>
public interface IHubConnectionFeature
{
    /// <summary>Runs after the welcome frame is queued and before the first inbound frame is handled.</summary>
    Task OnOpenedAsync(HubConnection connection, HubHandshake handshake);

    Task OnClosedAsync(HubConnection connection);
}

/// <summary>One inbound frame with its connection, its scope's services and the connection's lifetime.</summary>
public sealed record HubMessage(HubConnection Connection, HubFrame Frame, IServiceProvider Services)
{
    public CancellationToken Aborted => Connection.Lifetime;

    public bool Reply(HubFrame frame) => Connection.Send(frame);
}

/// <summary>What the client asked for at the handshake: to resume a session from a sequence number.</summary>
public sealed record HubHandshake(bool Resumed, long? LastSeq, DateTimeOffset? TokenExpiresAt);
