using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Apex.Coverage.Tests.Fixtures;
using static Apex.Coverage.Tests.Analytics.History;
using static Apex.Coverage.Tests.Mutation.MutationFixtureHost;

namespace Apex.Coverage.Tests.Mutation;

/// <summary>
/// The real Stryker.NET (the repo's local tool) over tests/fixtures/Apex.Fixture.Mutation, whose
/// mutants are known: item 2's tests (BulkTests) kill `quantity &lt; 10`, let `quantity &gt; 10`
/// survive and reach neither Total's mutant nor Shipping's four.
/// </summary>
[Collection(MutationFixtureCollection.Name)]
public sealed class MutationFixtureTests : IAsyncLifetime
{
    private MutationFixtureHost _fixture = null!;
    private HttpClient _client = null!;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync()
    {
        _fixture = await MutationFixtureHost.StartAsync();
        _client = _fixture.Client;
        await DiscoverAsync(_fixture.Databases, BulkTest, "2");
    }

    public ValueTask DisposeAsync() => _fixture.DisposeAsync();

    private async Task<JsonElement> StartAndWaitAsync(int item, Func<JsonElement, bool> until, int seconds)
    {
        var id = await _fixture.StartRunAsync(item);
        return await _fixture.WaitForRunAsync(id, until, $"mutation run {id}", seconds);
    }

    [Fact]
    public async Task Run_StoresKilledSurvivedAndNoCoveragePerFile_AndTheNextRunTestsOnlyWhatChanged()
    {
        var run = await StartAndWaitAsync(2, r => Status(r) is not ("queued" or "running"), seconds: 900);

        Assert.True(Status(run) == "completed", run.ToString());
        Assert.Equal((1, 1, 5, 0), (run.GetProperty("killed").GetInt32(), run.GetProperty("survived").GetInt32(),
            run.GetProperty("noCoverage").GetInt32(), run.GetProperty("timeout").GetInt32()));
        var files = run.GetProperty("files").EnumerateArray().ToDictionary(f => Path.GetFileName(f.GetProperty("path").GetString()!));
        Assert.Equal((1, 1, 1), (files["Pricing.cs"].GetProperty("killed").GetInt32(), files["Pricing.cs"].GetProperty("survived").GetInt32(), files["Pricing.cs"].GetProperty("noCoverage").GetInt32()));
        Assert.Equal(4, files["Shipping.cs"].GetProperty("noCoverage").GetInt32());
        var survivor = run.GetProperty("survivors").EnumerateArray().Single(s => s.GetProperty("status").GetString() == "Survived");
        Assert.Equal((8, "quantity > 10"), (survivor.GetProperty("line").GetInt32(), survivor.GetProperty("replacement").GetString()));
        var item = await _client.GetFromJsonAsync<JsonElement>("/api/v1/mutation/items/2", Ct);
        Assert.Equal(run.GetProperty("id").GetInt64(), item.GetProperty("id").GetInt64());
        await AssertNextRunIsIncrementalAsync(run);
    }

    /// <summary>Nothing changed since the first run's commit: Stryker tests no mutant, and every file keeps its figures.</summary>
    private async Task AssertNextRunIsIncrementalAsync(JsonElement first)
    {
        var next = await StartAndWaitAsync(2, r => Status(r) is not ("queued" or "running"), seconds: 900);

        Assert.True(Status(next) == "completed", next.ToString());
        Assert.Equal(first.GetProperty("commit").GetString(), next.GetProperty("since").GetString());
        Assert.Equal((1, 1, 5), (next.GetProperty("killed").GetInt32(), next.GetProperty("survived").GetInt32(), next.GetProperty("noCoverage").GetInt32()));
        Assert.All(next.GetProperty("files").EnumerateArray(), f => Assert.True(f.GetProperty("carriedOver").GetBoolean()));
        Assert.Equal(6, next.GetProperty("survivors").GetArrayLength());
    }

    [Fact]
    public async Task Start_IsRefusedWithAReason_WhenThePlanHasNoSuchItem()
    {
        using var response = await _client.PostAsJsonAsync("/api/v1/mutation/runs", new { planItem = 999 }, Ct);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("The current plan has no item 999.", await response.Content.ReadAsStringAsync(Ct), StringComparison.Ordinal);
        Assert.Empty(await _client.GetFromJsonAsync<JsonElement[]>("/api/v1/mutation/runs", Ct) ?? []);
    }

    [Fact]
    public async Task Cancel_EndsTheRunCanceledWithNothingStored_WhileStrykerRuns()
    {
        using var started = await _client.PostAsJsonAsync("/api/v1/mutation/runs", new { planItem = 2 }, Ct);
        var id = (await started.Content.ReadFromJsonAsync<JsonElement>(Ct)).GetProperty("id").GetInt64();
        await Eventually.ThatAsync(() => _client.GetFromJsonAsync<JsonElement>($"/api/v1/mutation/runs/{id}", Ct), r => Status(r) == "running", "running", 120);

        using var cancel = await _client.PostAsync($"/api/v1/mutation/runs/{id}/cancel", null, Ct);
        var ended = await Eventually.ThatAsync(() => _client.GetFromJsonAsync<JsonElement>($"/api/v1/mutation/runs/{id}", Ct), r => Status(r) != "running", "ended", 120);

        Assert.Equal(HttpStatusCode.Accepted, cancel.StatusCode);
        Assert.Equal(("canceled", 0), (Status(ended), ended.GetProperty("files").GetArrayLength()));
        Assert.Equal(HttpStatusCode.NotFound, (await _client.GetAsync("/api/v1/mutation/items/2", Ct)).StatusCode);
    }
}

/// <summary>
/// The classes that run the real Stryker over tests/fixtures/Apex.Fixture.Mutation.Tests: one at a
/// time, since Stryker builds into and writes its mutated assembly next to that one project.
/// </summary>
[CollectionDefinition(Name)]
public sealed class MutationFixtureCollection
{
    public const string Name = "mutation-fixture";
}
