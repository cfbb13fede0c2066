using System.Net;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace Apex.Platform.Caching.Sessions;

/// <summary>
/// Scales a Redis Cluster out while it serves: adds a node (CLUSTER MEET) and moves slots to it
/// the way redis-cli --cluster reshard does - target IMPORTING, source MIGRATING, keys moved with
/// MIGRATE in batches, then the slot assigned to the target on every master. Clients keep working
/// throughout: a key not yet moved is served by the source, a moved one answers with ASK.
/// </summary>
public sealed class SlotMigrator(IOptions<RedisOptions> options, ILogger<SlotMigrator> logger) : IAsyncDisposable
{
    private const int KeysPerBatch = 100;
    private const int MigrateTimeoutMs = 5000;
    private ConnectionMultiplexer? _admin;

    /// <summary>Makes the node at <paramref name="endpoint"/> a master of the cluster, without slots yet.</summary>
    public async Task<string> AddNodeAsync(IPEndPoint endpoint, CancellationToken cancellationToken = default)
    {
        var existing = Masters(await AdminAsync()).First();
        await (await AdminAsync()).GetServer(existing.EndPoint!).ExecuteAsync("CLUSTER", "MEET", endpoint.Address.ToString(), endpoint.Port);
        var admin = await AdminAsync(endpoint);
        while (true)
        {
            // Gossip needs a moment; the node counts as added once the cluster configuration lists it.
            await admin.ConfigureAsync();
            if (Masters(admin).FirstOrDefault(n => n.EndPoint is IPEndPoint ip && ip.Equals(endpoint)) is { } added
                && await KnownEverywhereAsync(admin, added.NodeId)
                && ((string?)await admin.GetServer(endpoint).ExecuteAsync("CLUSTER", "INFO"))?.Contains("cluster_state:ok", StringComparison.Ordinal) == true)
            {
                return added.NodeId;
            }

            await Task.Delay(100, cancellationToken);
        }
    }

    // SETSLOT on a master that has not heard of the node yet fails with "Unknown node", and MIGRATE
    // to a node that has not yet seen the slot map fails with CLUSTERDOWN: wait for both.
    private static async Task<bool> KnownEverywhereAsync(ConnectionMultiplexer admin, string nodeId)
    {
        foreach (var master in Masters(admin))
        {
            var nodes = (string?)await admin.GetServer(master.EndPoint!).ExecuteAsync("CLUSTER", "NODES");
            if (nodes is null || !nodes.Contains(nodeId, StringComparison.Ordinal)) return false;
        }

        return true;
    }

    /// <summary>Moves <paramref name="slotsPerMaster"/> slots of every other master to <paramref name="target"/>; returns the keys moved.</summary>
    public async Task<MigrationReport> MoveSlotsAsync(IPEndPoint target, int slotsPerMaster, CancellationToken cancellationToken = default)
    {
        var admin = await AdminAsync();
        var masters = Masters(admin);
        var to = masters.FirstOrDefault(n => n.EndPoint is IPEndPoint ip && ip.Equals(target))
            ?? throw new InvalidOperationException($"{target} is not a master of the cluster; add it first.");
        var (slots, keys) = (0, 0);
        foreach (var from in masters.Where(n => n != to).ToList())
        {
            foreach (var slot in from.Slots.SelectMany(r => Enumerable.Range(r.From, r.To - r.From + 1)).TakeLast(slotsPerMaster).ToList())
            {
                keys += await MoveSlotAsync(admin, slot, from, to, masters, cancellationToken);
                slots++;
            }
        }

        await admin.ConfigureAsync();
        logger.LogInformation("Moved {Slots} slots and {Keys} keys to {Target}", slots, keys, target);
        return new MigrationReport(slots, keys);
    }

    private static async Task<int> MoveSlotAsync(ConnectionMultiplexer admin, int slot, ClusterNode from, ClusterNode to, List<ClusterNode> masters,
        CancellationToken cancellationToken)
    {
        var source = admin.GetServer(from.EndPoint!);
        var destination = admin.GetServer(to.EndPoint!);
        var target = (IPEndPoint)to.EndPoint!;
        await destination.ExecuteAsync("CLUSTER", "SETSLOT", slot, "IMPORTING", from.NodeId);
        await source.ExecuteAsync("CLUSTER", "SETSLOT", slot, "MIGRATING", to.NodeId);
        var moved = 0;
        while (!cancellationToken.IsCancellationRequested)
        {
            var keys = (RedisResult[])(await source.ExecuteAsync("CLUSTER", "GETKEYSINSLOT", slot, KeysPerBatch))!;
            if (keys.Length == 0) break;
            await source.ExecuteAsync("MIGRATE", [target.Address.ToString(), target.Port, "", 0, MigrateTimeoutMs, "KEYS", .. keys.Select(k => (object)(string)k!)]);
            moved += keys.Length;
        }

        // The target first, so it owns the slot before the source starts answering MOVED.
        await destination.ExecuteAsync("CLUSTER", "SETSLOT", slot, "NODE", to.NodeId);
        foreach (var master in masters.Where(m => m != to)) await admin.GetServer(master.EndPoint!).ExecuteAsync("CLUSTER", "SETSLOT", slot, "NODE", to.NodeId);
        return moved;
    }

    private static List<ClusterNode> Masters(ConnectionMultiplexer admin)
    {
        var configuration = admin.GetServers().First(s => s.IsConnected).ClusterConfiguration
            ?? throw new InvalidOperationException("The cache is not a Redis Cluster.");
        return [.. configuration.Nodes.Where(n => !n.IsReplica && n.EndPoint is not null && !n.IsNoAddr)];
    }

    // Cluster administration needs admin commands; the platform's shared connection has none. A node
    // added since the connection was made is added to its endpoints, so commands can be sent to it.
    private async Task<ConnectionMultiplexer> AdminAsync(IPEndPoint? include = null)
    {
        if (_admin is not null && (include is null || _admin.GetEndPoints().Contains(include))) return _admin;
        var configuration = ConfigurationOptions.Parse(options.Value.ConnectionString);
        configuration.AllowAdmin = true;
        configuration.ClientName = "apex-slot-migrator";
        foreach (var endpoint in _admin?.GetEndPoints() ?? []) if (!configuration.EndPoints.Contains(endpoint)) configuration.EndPoints.Add(endpoint);
        if (include is not null && !configuration.EndPoints.Contains(include)) configuration.EndPoints.Add(include);
        var previous = _admin;
        _admin = await ConnectionMultiplexer.ConnectAsync(configuration);
        if (previous is not null) await previous.DisposeAsync();
        return _admin;
    }

    public async ValueTask DisposeAsync()
    {
        if (_admin is not null) await _admin.DisposeAsync();
    }
}

public sealed record MigrationReport(int Slots, int Keys);
