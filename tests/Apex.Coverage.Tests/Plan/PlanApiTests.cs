using Apex.Coverage.Web.Access;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Apex.Coverage.Tests.Fixtures;
using Microsoft.Extensions.DependencyInjection;

namespace Apex.Coverage.Tests.Plan;

public sealed class PlanApiTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task GetPlan_ReturnsCatalogInContractShape_WhenRealPlanIsImported()
    {
        await using var factory = new PlanHostFactory();
        using var client = await factory.CreateSignedInClientAsync(DashboardRoles.Viewer);

        using var response = await client.GetAsync("/api/v1/plan", Ct);
        var json = await response.Content.ReadFromJsonAsync<JsonElement>(Ct);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("\"plan-v1\"", response.Headers.ETag?.Tag);
        Assert.Equal(["categories", "items", "totals", "lint"], json.EnumerateObject().Select(p => p.Name));
        var auth = json.GetProperty("categories")[0];
        Assert.Equal(["name", "slug", "firstItem", "lastItem", "count", "mrr", "priority"], auth.EnumerateObject().Select(p => p.Name));
        Assert.Equal(("authentication-authorization", 1, 15, 15, 150000m, "P0"),
            (auth.GetProperty("slug").GetString(), auth.GetProperty("firstItem").GetInt32(), auth.GetProperty("lastItem").GetInt32(),
             auth.GetProperty("count").GetInt32(), auth.GetProperty("mrr").GetDecimal(), auth.GetProperty("priority").GetString()));
        Assert.Equal((100, 870000m), (json.GetProperty("totals").GetProperty("items").GetInt32(), json.GetProperty("totals").GetProperty("mrr").GetDecimal()));
    }

    [Fact]
    public async Task GetPlan_ServesItemsAndLint_WhenRealPlanIsImported()
    {
        await using var factory = new PlanHostFactory();
        using var client = await factory.CreateSignedInClientAsync(DashboardRoles.Viewer);

        var json = await client.GetFromJsonAsync<JsonElement>("/api/v1/plan", Ct);

        var first = json.GetProperty("items")[0];
        Assert.Equal(["number", "name", "category", "bvj", "bvjMrr", "components", "scenarios", "declaredStatus"],
            first.EnumerateObject().Select(p => p.Name));
        Assert.Equal(("authentication-authorization", 15000m, "implemented"),
            (first.GetProperty("category").GetString(), first.GetProperty("bvjMrr").GetDecimal(), first.GetProperty("declaredStatus").GetString()));
        Assert.Equal(4, json.GetProperty("items").EnumerateArray().Count(i => i.GetProperty("declaredStatus").GetString() == "implemented"));
        Assert.Contains(json.GetProperty("lint").EnumerateArray(), l =>
            l.GetProperty("code").GetString() == "category-mrr-vs-bvj" && l.GetProperty("line").GetInt32() == 39
            && l.GetProperty("severity").GetString() == "warning");
    }

    [Fact]
    public async Task GetPlan_ReturnsProblemDetails_WhenNoPlanWasEverImported()
    {
        await using var factory = new PlanHostFactory(planFixture: "binary.bin");
        using var client = await factory.CreateSignedInClientAsync(DashboardRoles.Viewer);

        using var response = await client.GetAsync("/api/v1/plan", Ct);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>(Ct);

        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Contains("not UTF-8", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Watcher_ImportsNewVersion_WhenPlanFileChanges()
    {
        await using var factory = new PlanHostFactory(PlanFixtures.SecondPlan, watch: true);
        using var client = await factory.CreateSignedInClientAsync(DashboardRoles.Viewer);
        var catalog = factory.Services.GetRequiredService<Apex.Coverage.Web.Plan.PlanCatalog>();
        var imported = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using var subscription = catalog.Subscribe(() =>
        {
            if (catalog.Current?.Version == 2)
            {
                imported.TrySetResult();
            }
        });

        var text = await File.ReadAllTextAsync(factory.PlanPath, Ct);
        await File.WriteAllTextAsync(factory.PlanPath, text.Replace("Lost carts cost $50K", "Lost carts cost $60K", StringComparison.Ordinal), Ct);
        await imported.Task.WaitAsync(TimeSpan.FromSeconds(30), Ct);

        var json = await client.GetFromJsonAsync<JsonElement>("/api/v1/plan", Ct);
        Assert.Equal(60000m, json.GetProperty("items")[8].GetProperty("bvjMrr").GetDecimal());
    }

    [Fact]
    public async Task Watcher_KeepsCatalogAndReportsError_WhenFileBecomesBroken()
    {
        await using var factory = new PlanHostFactory(PlanFixtures.SecondPlan, watch: true);
        using var client = await factory.CreateSignedInClientAsync(DashboardRoles.Viewer);
        var catalog = factory.Services.GetRequiredService<Apex.Coverage.Web.Plan.PlanCatalog>();
        var rejected = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using var subscription = catalog.Subscribe(() =>
        {
            if (catalog.PendingRejection is not null)
            {
                rejected.TrySetResult();
            }
        });

        await File.WriteAllTextAsync(factory.PlanPath, "", Ct);
        await rejected.Task.WaitAsync(TimeSpan.FromSeconds(30), Ct);

        var json = await client.GetFromJsonAsync<JsonElement>("/api/v1/plan", Ct);
        Assert.Equal(12, json.GetProperty("totals").GetProperty("items").GetInt32());
        Assert.Contains(json.GetProperty("lint").EnumerateArray(), l =>
            l.GetProperty("code").GetString() == "plan-empty" && l.GetProperty("severity").GetString() == "error");
    }
}
