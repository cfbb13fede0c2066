using Apex.Coverage.Web.Access;
using Apex.Coverage.Tests.Fixtures;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Apex.Coverage.Web.ApiTokens;
using Apex.Coverage.Web.Results;
using Apex.Coverage.Web.Runs;
using Microsoft.Extensions.DependencyInjection;
using TestOutcome = Apex.Coverage.Web.Results.TestOutcome;
using TestResult = Apex.Coverage.Web.Results.TestResult;

namespace Apex.Coverage.Tests.Runs;

/// <summary>The runs and tests API through the real host, with real runs of the fixture suite.</summary>
[Collection(RunnerCollection.Name)]
public sealed class RunsApiTests(RunnerHost host)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private RunnerHostFactory Factory => host.Factory;

    private async Task<HttpClient> AuthorizedClientAsync()
    {
        var token = await Factory.Services.GetRequiredService<ApiTokenStore>().CreateAsync($"runs-{Guid.NewGuid():N}"[..20], Ct);
        var client = Factory.CreateClient();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token.Token);
        return client;
    }

    [Fact]
    public async Task PostRun_Answers401Problem_WhenNoTokenIsSent()
    {
        using var client = Factory.CreateClient();

        using var response = await client.PostAsJsonAsync("/api/v1/runs", new { planItems = new[] { 3 } }, Ct);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task PostRun_Answers202AndRunEndsWithResults_WhenTokenAndPlanItemsAreGiven()
    {
        using var client = await AuthorizedClientAsync();

        using var response = await client.PostAsJsonAsync("/api/v1/runs", new { planItems = new[] { 3 } }, Ct);
        var created = await response.Content.ReadFromJsonAsync<JsonElement>(Ct);
        var id = created.GetProperty("id").GetInt64();
        await Factory.WaitForEndAsync(id);
        var run = await client.GetFromJsonAsync<JsonElement>($"/api/v1/runs/{id}", Ct);

        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        Assert.Equal($"/api/v1/runs/{id}", response.Headers.Location?.OriginalString);
        Assert.Equal(("passed", "api"), (run.GetProperty("status").GetString(), run.GetProperty("source").GetString()));
        Assert.Equal(3, run.GetProperty("counts").GetProperty("total").GetInt32());
        Assert.Equal(3, run.GetProperty("results").GetArrayLength());
        Assert.Equal("passed", run.GetProperty("results")[0].GetProperty("outcome").GetString());
        Assert.Equal(JsonValueKind.Null, run.GetProperty("codeCoverage").ValueKind);
        Assert.StartsWith("runs-", (await Factory.WaitForEndAsync(id)).TokenName, StringComparison.Ordinal);
    }

    [Fact]
    public async Task PostRun_Answers400NamingKnownCategories_WhenCategoryIsUnknown()
    {
        using var client = await AuthorizedClientAsync();

        using var response = await client.PostAsJsonAsync("/api/v1/runs", new { category = "no-such-category" }, Ct);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>(Ct);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("authentication-authorization", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task PostRun_TurnsCategoryIntoPlanIdFilter_WhenCategoryIsKnown()
    {
        using var client = await AuthorizedClientAsync();

        using var response = await client.PostAsJsonAsync("/api/v1/runs", new { category = "authentication-authorization" }, Ct);
        var id = (await response.Content.ReadFromJsonAsync<JsonElement>(Ct)).GetProperty("id").GetInt64();
        var run = await Factory.WaitForEndAsync(id);

        Assert.Equal(string.Join("|", Enumerable.Range(1, 15).Select(n => $"PlanId={n}")), run.TestCaseFilter);
        Assert.Equal(9, run.Total);
    }

    [Fact]
    public async Task ListRuns_PagesNewestFirst_WhenTakeAndSkipAreGiven()
    {
        using var client = await Factory.CreateSignedInClientAsync(DashboardRoles.Viewer);
        var first = await Factory.StartAsync(RunnerHostFactory.Suite, new RunSelection(PlanItems: [3]));
        var second = await Factory.StartAsync(RunnerHostFactory.Suite, new RunSelection(PlanItems: [3]));
        await Factory.WaitForEndAsync(second);

        var page = await client.GetFromJsonAsync<JsonElement>("/api/v1/runs?take=2&skip=0", Ct);
        using var bad = await client.GetAsync("/api/v1/runs?take=0", Ct);

        Assert.Equal([second, first], page.EnumerateArray().Select(r => r.GetProperty("id").GetInt64()));
        Assert.False(page[0].TryGetProperty("results", out _));
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
    }

    [Fact]
    public async Task CancelRun_Answers404_WhenRunDoesNotExist()
    {
        using var client = await AuthorizedClientAsync();

        using var response = await client.PostAsync("/api/v1/runs/999999/cancel", null, Ct);

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
    }

    [Fact]
    public async Task CancelRun_Answers409_WhenRunHasEnded()
    {
        using var client = await AuthorizedClientAsync();
        var id = await Factory.StartAsync(RunnerHostFactory.Suite, new RunSelection(PlanItems: [3]));
        await Factory.WaitForEndAsync(id);

        using var response = await client.PostAsync($"/api/v1/runs/{id}/cancel", null, Ct);

        Assert.Equal(HttpStatusCode.Conflict, response.StatusCode);
    }

    [Fact]
    public async Task GetTests_ListsDiscoveredTestsWithPlanItemsAndLastOutcome_AfterARun()
    {
        var id = await Factory.StartAsync(RunnerHostFactory.Suite, new RunSelection(PlanItems: [2]));
        await Factory.WaitForEndAsync(id);
        using var client = await Factory.CreateSignedInClientAsync(DashboardRoles.Viewer);

        var tests = await client.GetFromJsonAsync<JsonElement>("/api/v1/tests", Ct);

        // A test is its suite and its name: other suites of this host may know the same name.
        var fails = tests.EnumerateArray().Single(t => t.GetProperty("fullyQualifiedName").GetString() == "Apex.Fixture.Suite.FailingTests.Fails"
            && t.GetProperty("suite").GetString() == RunnerHostFactory.Suite);
        Assert.Equal(["suite", "fullyQualifiedName", "displayName", "planItems", "traits", "lastOutcome", "flaky", "flipRate"], fails.EnumerateObject().Select(p => p.Name));
        Assert.Equal([2], fails.GetProperty("planItems").EnumerateArray().Select(i => i.GetInt32()));
        Assert.Equal("failed", fails.GetProperty("lastOutcome").GetString());
        Assert.Equal("2", fails.GetProperty("traits").GetProperty("PlanId")[0].GetString());
    }

    [Fact]
    public async Task GetTests_ListsTestsKnownOnlyFromResultsAsFlaky_WhenTheyPassedAndFailedOnOneCommit()
    {
        var name = $"Ci.Only.Test{Guid.NewGuid():N}";
        await using (var db = Factory.Database())
        {
            foreach (var outcome in new[] { TestOutcome.Passed, TestOutcome.Failed })
            {
                var run = new TestRun { SuiteName = "ci", Source = RunSource.Ci, Status = RunStatus.Failed, Commit = "abc", CreatedAt = DateTimeOffset.UtcNow };
                run.Results.Add(new TestResult { ResultKey = name, FullyQualifiedName = name, DisplayName = name, Outcome = outcome, Commit = "abc", RecordedAt = DateTimeOffset.UtcNow });
                db.TestRuns.Add(run);
                await db.SaveChangesAsync(Ct);
            }
        }

        using var client = await Factory.CreateSignedInClientAsync(DashboardRoles.Viewer);
        var tests = await client.GetFromJsonAsync<JsonElement>("/api/v1/tests", Ct);

        var test = tests.EnumerateArray().Single(t => t.GetProperty("fullyQualifiedName").GetString() == name);
        Assert.Equal(("failed", true, 0), (test.GetProperty("lastOutcome").GetString(), test.GetProperty("flaky").GetBoolean(), test.GetProperty("planItems").GetArrayLength()));
    }

    [Fact]
    public async Task HangfireDashboard_RefusesRemoteRequests_WhenNotConfiguredOtherwise()
    {
        // An admin, so that only the remote-request rule can refuse (the test server's requests have no local address).
        using var client = await Factory.CreateSignedInClientAsync(DashboardRoles.Admin);

        using var response = await client.GetAsync("/hangfire", Ct);

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
    }
}
