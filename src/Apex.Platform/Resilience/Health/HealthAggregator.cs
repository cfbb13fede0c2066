using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;

namespace Apex.Platform.Resilience.Health;

/// <summary>
/// The health aggregator and propagator: this service's own checks plus every peer's report, read
/// over HTTP, folded into one status. A peer that does not answer is Unhealthy — silence is the
/// worst report — and a degraded dependency anywhere makes the fleet Degraded, not Unhealthy.
/// </summary>
public sealed class HealthAggregator(HttpClient http, HealthCheckService checks, IOptions<HealthOptions> options,
    IOptions<ResilienceOptions> service, TimeProvider time)
{
    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { Converters = { new JsonStringEnumConverter() } };

    public async Task<ServiceHealth> OwnAsync(CancellationToken cancellationToken) =>
        ServiceHealth.From(service.Value.ServiceName, await checks.CheckHealthAsync(HealthRegistration.IsDependency, cancellationToken));

    public async Task<HealthOverview> OverviewAsync(CancellationToken cancellationToken)
    {
        var own = OwnAsync(cancellationToken);
        var peers = options.Value.Peers.Select(p => PeerAsync(p, cancellationToken)).ToList();
        IReadOnlyList<ServiceHealth> all = [await own, .. await Task.WhenAll(peers)];
        return new HealthOverview(all.Min(s => s.Status), all, time.GetUtcNow());
    }

    private async Task<ServiceHealth> PeerAsync(HealthPeer peer, CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(options.Value.PeerTimeout);
        try
        {
            // A 503 still carries the report: Unhealthy answers with its reasons.
            using var response = await http.GetAsync(new Uri(new Uri(peer.Url), "resilience/health"), timeout.Token);
            var report = await response.Content.ReadFromJsonAsync<ServiceHealth>(Json, timeout.Token);
            return report is null ? Unreachable(peer, "answered no report") : report with { Service = peer.Name };
        }
        catch (Exception e) when (e is HttpRequestException or JsonException || (e is OperationCanceledException && !cancellationToken.IsCancellationRequested))
        {
            return Unreachable(peer, e.Message);
        }
    }

    private static ServiceHealth Unreachable(HealthPeer peer, string why) =>
        new(peer.Name, HealthStatus.Unhealthy, [new CheckHealth("reachable", HealthStatus.Unhealthy, $"{peer.Name} did not report its health: {why}")]);
}
