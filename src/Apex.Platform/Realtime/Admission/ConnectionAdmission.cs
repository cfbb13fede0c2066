using Apex.Platform.Realtime.Hub;
using Microsoft.Extensions.Options;

namespace Apex.Platform.Realtime.Admission;

/// <summary>
/// The connection limits of this instance: in total and per tenant. A slot is taken before the
/// upgrade (a refused client gets 503, not a socket) and given back when the connection ends.
/// </summary>
public sealed class ConnectionAdmission(IOptions<HubOptions> options)
{
    private readonly Lock _gate = new();
    private readonly Dictionary<Guid, int> _perTenant = [];
    private int _total;

    public int Total
    {
        get
        {
            lock (_gate) return _total;
        }
    }

    public int OfTenant(Guid tenantId)
    {
        lock (_gate) return _perTenant.GetValueOrDefault(tenantId);
    }

    /// <summary>Null when admitted; otherwise which limit is full.</summary>
    public string? TryAdmit(Guid tenantId)
    {
        var limits = options.Value;
        lock (_gate)
        {
            if (_total >= limits.MaxConnections) return "instance";
            var tenant = _perTenant.GetValueOrDefault(tenantId);
            if (tenant >= limits.MaxConnectionsPerTenant) return "tenant";
            _total++;
            _perTenant[tenantId] = tenant + 1;
            return null;
        }
    }

    public void Release(Guid tenantId)
    {
        lock (_gate)
        {
            _total--;
            var left = _perTenant.GetValueOrDefault(tenantId) - 1;
            if (left <= 0) _perTenant.Remove(tenantId);
            else _perTenant[tenantId] = left;
        }
    }
}
