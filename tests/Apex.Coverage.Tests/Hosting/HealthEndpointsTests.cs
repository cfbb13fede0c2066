using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Apex.Coverage.Tests.Fixtures;

namespace Apex.Coverage.Tests.Hosting;

/// <summary>Liveness and readiness as a load balancer in front of several nodes sees them.</summary>
public sealed class HealthEndpointsTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Ready_Answers200WithEachCheck_WhenStoreJobStorageAndPlanAreGood()
    {
        await using var factory = new PlanHostFactory();
        using var client = factory.CreateClient();

        using var live = await client.GetAsync("/health/live", Ct);
        using var ready = await client.GetAsync("/health/ready", Ct);
        var body = await ready.Content.ReadFromJsonAsync<JsonElement>(Ct);

        Assert.Equal(HttpStatusCode.OK, live.StatusCode);
        Assert.Equal(HttpStatusCode.OK, ready.StatusCode);
        Assert.Equal(["store", "job-storage", "plan"], body.GetProperty("checks").EnumerateObject().Select(c => c.Name));
        Assert.All(body.GetProperty("checks").EnumerateObject(), c => Assert.Equal("healthy", c.Value.GetProperty("status").GetString()));
    }

    [Fact]
    public async Task Ready_Answers503NamingThePlan_WhileLiveStays200_WhenNoPlanWasImported()
    {
        await using var factory = new PlanHostFactory(planFixture: null);
        using var client = factory.CreateClient();

        using var live = await client.GetAsync("/health/live", Ct);
        using var ready = await client.GetAsync("/health/ready", Ct);
        var body = await ready.Content.ReadFromJsonAsync<JsonElement>(Ct);

        Assert.Equal(HttpStatusCode.OK, live.StatusCode);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, ready.StatusCode);
        Assert.Equal("unhealthy", body.GetProperty("checks").GetProperty("plan").GetProperty("status").GetString());
        Assert.Equal("healthy", body.GetProperty("checks").GetProperty("store").GetProperty("status").GetString());
    }
}
