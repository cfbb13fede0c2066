using System.Net;
using System.Net.Http.Json;
using System.Text;
using Apex.Coverage.Tests.Ingestion;
using Microsoft.EntityFrameworkCore;

namespace Apex.Coverage.Tests.Hostile;

/// <summary>
/// The API's edge through the real host: a selection of unknown or too many plan items, a body
/// that does not bind, an over-long request line or header block, each answered as problem
/// details, with no run queued.
/// </summary>
public sealed class ApiEdgeTests(HostileHost host) : IClassFixture<HostileHost>
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task PostRun_Answers400NamingItems_WhenPlanItemsAreNotInThePlan()
    {
        await host.Client.GetAsync("/api/v1/plan", Ct);

        using var response = await host.Client.PostAsJsonAsync("/api/v1/runs", new { planItems = new[] { 3, 999999, 101 } }, Ct);

        var problem = await BadUploadTests.AssertProblemAsync(response, 400, "The run cannot start");
        Assert.StartsWith("Plan items 101, 999999 are not in the plan", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
        await AssertNoRunAsync();
    }

    [Fact]
    public async Task PostRun_Answers400_WhenSelectionNamesTooManyItems()
    {
        using var response = await host.Client.PostAsJsonAsync("/api/v1/runs", new { planItems = Enumerable.Range(1, 5000).ToArray() }, Ct);

        var problem = await BadUploadTests.AssertProblemAsync(response, 400, "The run cannot start");
        Assert.Contains("at most 1000", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
        await AssertNoRunAsync();
    }

    [Theory]
    [InlineData("{\"planItems\": [1,")]
    [InlineData("{\"planItems\": \"all\"}")]
    [InlineData("[]")]
    public async Task PostRun_Answers400Problem_WhenBodyDoesNotBind(string json)
    {
        using var response = await host.Client.PostAsync("/api/v1/runs", new StringContent(json, Encoding.UTF8, "application/json"), Ct);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        await AssertNoRunAsync();
    }

    [Fact]
    public async Task Get_Answers414Problem_WhenRequestLineIsTooLong()
    {
        using var response = await host.Client.GetAsync("/api/v1/tests?suite=" + new string('s', 20 * 1024), Ct);

        await BadUploadTests.AssertProblemAsync(response, 414, "Request line too long");
    }

    [Fact]
    public async Task Get_Answers431Problem_WhenHeadersAreTooLarge()
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/v1/runs");
        request.Headers.Add("X-Padding", new string('p', 40 * 1024));

        using var response = await host.Client.SendAsync(request, Ct);

        await BadUploadTests.AssertProblemAsync(response, 431, "Request headers too large");
    }

    [Fact]
    public async Task Get_Answers404Problem_WhenApiPathIsUnknown()
    {
        using var response = await host.Client.GetAsync("/api/v1/nothing-here", Ct);

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
    }

    private async Task AssertNoRunAsync()
    {
        await using var db = host.Factory.CreateDbContext();
        Assert.Equal(0, await db.TestRuns.CountAsync(r => r.Source != Web.Results.RunSource.Ci, Ct));
    }
}
