using Apex.Coverage.Tests.Ingestion;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace Apex.Coverage.Tests.Auth;

/// <summary>A guard for every engineer's next endpoint: nothing under /api or /badge is served without declaring who may call it.</summary>
public sealed class EndpointAuthorizationTests
{
    [Fact]
    public async Task EveryApiEndpoint_DeclaresAPolicy_AndNoneAllowsAnonymous()
    {
        await using var factory = new IngestionHostFactory();
        _ = factory.Server;

        var endpoints = factory.Services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>()
            .Where(e => e.RoutePattern.RawText is { } route && (route.StartsWith("/api", StringComparison.Ordinal) || route.StartsWith("/badge", StringComparison.Ordinal)))
            .ToList();
        var open = endpoints
            .Where(e => e.Metadata.GetMetadata<IAllowAnonymous>() is not null || !e.Metadata.GetOrderedMetadata<IAuthorizeData>().Any(a => a.Policy is not null))
            .Select(e => e.DisplayName).ToList();

        Assert.True(endpoints.Count >= 8, $"only {endpoints.Count} API endpoints found");
        Assert.Empty(open);
    }
}
