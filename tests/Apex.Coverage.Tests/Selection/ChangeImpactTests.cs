using System.Net.Http.Json;
using System.Text.Json;
using Apex.Coverage.Tests.Runs;
using Apex.Coverage.Web.Selection;
using Microsoft.AspNetCore.Hosting;

namespace Apex.Coverage.Tests.Selection;

/// <summary>
/// Change impact: the pure matching and diff reading, and the coverage map job on the fixture
/// suite with real coverlet runs measuring tests/fixtures/Apex.Fixture.Library (item 1's tests
/// call Arithmetic; item 2's do not).
/// </summary>
[Collection(SelectionCollection.Name)]
public sealed class ChangeImpactTests(SelectionHost host)
{
    private const string Arithmetic = "tests/fixtures/Apex.Fixture.Library/Arithmetic.cs";

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public void Of_MatchesChangedRepositoryPathsToModuleRelativeCoveragePaths()
    {
        ItemFiles[] map =
        [
            new(5, 10, ["Apex.Platform/Billing/InvoiceService.cs", "Apex.Platform/Billing/Usage.cs"]),
            new(1, 11, ["Apex.Platform/Auth/TokenService.cs"]),
        ];

        var impacted = ChangeImpact.Of(map, ["src/Apex.Platform/Billing/InvoiceService.cs", "README.md", "src\\Apex.Platform\\Billing\\Usage.cs"]);

        var billing = Assert.Single(impacted);
        Assert.Equal(5, billing.Item);
        Assert.Equal(["src/Apex.Platform/Billing/InvoiceService.cs", "src/Apex.Platform/Billing/Usage.cs"], billing.Because);
    }

    [Fact]
    public void FilesOfDiff_ReadsBothSidesAndSkipsDevNull()
    {
        const string diff = """
            diff --git a/src/A.cs b/src/A.cs
            --- a/src/A.cs
            +++ b/src/A.cs
            @@ -1 +1 @@
            -x
            +y
            diff --git a/src/New.cs b/src/New.cs
            new file mode 100644
            --- /dev/null
            +++ b/src/New.cs
            """;

        Assert.Equal(["src/A.cs", "src/New.cs"], ChangeImpact.FilesOfDiff(diff));
    }

    [Fact]
    public async Task PostSelection_MarksTheItemsWhoseCoveredFilesChanged_AfterTheCoverageMapJob()
    {
        await using var factory = new RunnerHostFactory(host.Assembly, configure: b => b.UseSetting("Coverage:TargetAssembly", "Apex.Fixture.Library"));
        await factory.WaitForEndAsync(await factory.StartAsync(RunnerHostFactory.Suite), 300);
        using var client = await TokenClientAsync(factory);

        using var started = await client.PostAsJsonAsync("/api/v1/coverage-map", new { planItems = new[] { 1, 2 } }, Ct);
        var runs = await started.Content.ReadFromJsonAsync<Dictionary<int, long>>(Ct);
        foreach (var id in runs!.Values)
        {
            await factory.WaitForEndAsync(id, 300);
        }

        var map = await client.GetFromJsonAsync<List<JsonElement>>("/api/v1/coverage-map", Ct);
        using var byList = await client.PostAsJsonAsync("/api/v1/selection", new { budget = "01:00:00", files = new[] { Arithmetic } }, Ct);
        var changed = await byList.Content.ReadFromJsonAsync<JsonElement>(Ct);
        using var byDiff = await client.PostAsJsonAsync("/api/v1/selection",
            new { budget = "01:00:00", diff = "--- a/src/Apex.Platform/Billing/Invoice.cs\n+++ b/src/Apex.Platform/Billing/Invoice.cs\n" }, Ct);
        var unrelated = await byDiff.Content.ReadFromJsonAsync<JsonElement>(Ct);

        Assert.Equal([1, 2], runs.Keys.Order());
        Assert.Contains(map!.Single(i => i.GetProperty("item").GetInt32() == 1).GetProperty("files").EnumerateArray(),
            f => f.GetString()!.EndsWith("/Arithmetic.cs", StringComparison.Ordinal));
        Assert.Empty(map!.Single(i => i.GetProperty("item").GetInt32() == 2).GetProperty("files").EnumerateArray());
        var item = Assert.Single(changed.GetProperty("changedItems").EnumerateArray());
        Assert.Equal((1, Arithmetic), (item.GetProperty("item").GetInt32(), item.GetProperty("because")[0].GetString()));
        var terms = changed.GetProperty("selection").GetProperty("selected").EnumerateArray()
            .ToDictionary(t => t.GetProperty("fullyQualifiedName").GetString()!, t => t.GetProperty("terms").GetProperty("changed").GetBoolean());
        Assert.True(terms["Apex.Fixture.Suite.PassingTests.Adds"]);
        Assert.False(terms["Apex.Fixture.Suite.FailingTests.Fails"]);
        Assert.Empty(unrelated.GetProperty("changedItems").EnumerateArray());
        Assert.Equal(["src/Apex.Platform/Billing/Invoice.cs"], unrelated.GetProperty("changedFiles").EnumerateArray().Select(f => f.GetString()));
    }

    private static async Task<HttpClient> TokenClientAsync(RunnerHostFactory factory)
    {
        var token = await Microsoft.Extensions.DependencyInjection.ServiceProviderServiceExtensions
            .GetRequiredService<Apex.Coverage.Web.ApiTokens.ApiTokenStore>(factory.Services).CreateAsync("impact", Ct);
        var client = factory.CreateClient();
        client.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", token.Token);
        return client;
    }
}
