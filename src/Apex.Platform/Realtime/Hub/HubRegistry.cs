using System.Collections.Concurrent;

namespace Apex.Platform.Realtime.Hub;

/// <summary>The hub connections open on this instance. Only this instance can write to them.</summary>
public sealed class HubRegistry
{
    private readonly ConcurrentDictionary<string, HubConnection> _open = new();

    public int Count => _open.Count;

    public IEnumerable<HubConnection> All => _open.Values;

    public void Add(HubConnection connection) => _open[connection.Id] = connection;

    public void Remove(HubConnection connection) => _open.TryRemove(connection.Id, out _);

    public HubConnection? Find(string connectionId) => _open.GetValueOrDefault(connectionId);

    public IEnumerable<HubConnection> OfSession(string sessionId) => _open.Values.Where(c => c.SessionId == sessionId);

    public IEnumerable<HubConnection> OfUser(Guid userId) => _open.Values.Where(c => c.User.UserId == userId);
}
