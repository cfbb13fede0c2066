using Apex.Coverage.Web.Access;
using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Xml.Linq;
using Apex.Coverage.Tests.Fixtures;
using Apex.Coverage.Tests.Runs;
using Apex.Coverage.Web.Analytics;
using Apex.Coverage.Web.Plan;
using Apex.Coverage.Web.Runs;
using Microsoft.Extensions.DependencyInjection;

namespace Apex.Coverage.Tests.Selection;

/// <summary>The budgeted selection through the real host, over a real run of the fixture suite.</summary>
[Collection(SelectionCollection.Name)]
public sealed class SelectionApiTests(SelectionHost host)
{
    private const string Fixture = "Apex.Fixture.Suite.";

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private async Task<JsonElement> SelectionAsync(string budget)
    {
        using var client = await host.ClientWithTokenAsync();
        return await client.GetFromJsonAsync<JsonElement>($"/api/v1/selection?budget={budget}&format=json", Ct);
    }

    private static List<JsonElement> Tests(JsonElement selection, string part) => [.. selection.GetProperty(part).EnumerateArray()];

    private static string Name(JsonElement test) => test.GetProperty("fullyQualifiedName").GetString()!;

    private static decimal Mrr(JsonElement test) => test.GetProperty("terms").GetProperty("mrr").GetDecimal();

    [Fact]
    public async Task GetSelection_SplitsItemMrrOverItsTestsAndPutsFailingFirst_WhenEverythingFits()
    {
        var selection = await SelectionAsync("01:00:00");
        var selected = Tests(selection, "selected");
        var shares = CoverageCalculator.ItemShares(host.Factory.Services.GetRequiredService<PlanCatalog>().Current!.Document);
        var byName = selected.ToDictionary(Name);

        Assert.Empty(Tests(selection, "skipped"));
        Assert.Equal(8, selected.Count);
        Assert.Equal($"{Fixture}FailingTests.Fails", Name(selected[0]));
        Assert.Equal("failing", selected[0].GetProperty("terms").GetProperty("mustRun").GetString());
        Assert.Equal(Math.Round(shares[1] / 2, 2), Mrr(byName[$"{Fixture}PassingTests.Adds"]));
        Assert.Equal(Math.Round(shares[3] + shares[5] + shares[6], 2), Mrr(byName[$"{Fixture}TheoryTests.IsPositive"]));
        Assert.Equal(0m, Mrr(byName[$"{Fixture}UnmappedTests.HasNoPlanItem"]));
        Assert.Equal(selection.GetProperty("totalMrr").GetDecimal(), selection.GetProperty("coveredMrr").GetDecimal());
        Assert.Empty(selection.GetProperty("itemsLeftOut").EnumerateArray());
    }

    [Fact]
    public async Task GetSelectionFilter_SelectsExactlyTheListedTests_WhenGivenToDotnetTest()
    {
        var budget = await PartialBudgetAsync();
        using var client = await host.ClientWithTokenAsync();
        var filter = await client.GetStringAsync($"/api/v1/selection?budget={budget}&format=filter", Ct);
        var listed = (await client.GetStringAsync($"/api/v1/selection?budget={budget}&format=list", Ct))
            .Split('\n', StringSplitOptions.RemoveEmptyEntries).ToHashSet();

        var executed = await DotnetTestAsync(filter);

        Assert.Contains($"{Fixture}FailingTests.Fails", listed);
        Assert.InRange(listed.Count, 2, 7);
        Assert.Equal(listed.Order(), executed.Order());
    }

    [Fact]
    public async Task PostRun_RunsOnlyTheChosenTests_WhenBudgetIsGiven()
    {
        var budget = await PartialBudgetAsync();
        using var client = await host.ClientWithTokenAsync();

        using var response = await client.PostAsJsonAsync("/api/v1/runs", new { budget }, Ct);
        var id = (await response.Content.ReadFromJsonAsync<JsonElement>(Ct)).GetProperty("id").GetInt64();
        var run = await host.Factory.WaitForEndAsync(id, 300);
        var chosen = StoredSelection.FromJson(run.SelectionJson)!;
        var ran = (await host.Factory.ResultsAsync(id)).Select(r => r.FullyQualifiedName).ToHashSet();

        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        Assert.Equal(TimeSpan.Parse(budget, System.Globalization.CultureInfo.InvariantCulture), chosen.Asked.Budget);
        Assert.Contains($"{Fixture}FailingTests.Fails", ran);
        Assert.InRange(ran.Count, 2, 7);
        Assert.Equal(chosen.Names!.Order(), ran.Order());
        Assert.StartsWith("budget ", (await client.GetFromJsonAsync<JsonElement>($"/api/v1/runs/{id}", Ct)).GetProperty("selection").GetString(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("/api/v1/selection?format=json", 400)]
    [InlineData("/api/v1/selection?budget=five&format=json", 400)]
    [InlineData("/api/v1/selection?budget=00:05:00&format=xml", 400)]
    [InlineData("/api/v1/selection?budget=00:00:00.0001&format=filter", 422)]
    public async Task GetSelection_AnswersProblem_WhenAskedWrong(string url, int status)
    {
        using var client = await host.ClientWithTokenAsync();

        using var response = await client.GetAsync(url, Ct);

        Assert.Equal(status, (int)response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task PostRun_Answers400_WhenBudgetIsCombinedWithACategory()
    {
        using var client = await host.ClientWithTokenAsync();

        using var response = await client.PostAsJsonAsync("/api/v1/runs", new { budget = "00:05:00", category = "authentication-authorization" }, Ct);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>(Ct);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("budget chooses the tests itself", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task RunsPage_ShowsTheMrrTheBudgetCovers_WhenRendered()
    {
        // Pages need a signed-in user; the budget run is a runner's tool.
        using var client = await host.Factory.CreateSignedInClientAsync(DashboardRoles.Runner);

        var html = await client.GetStringAsync("/runs", Ct);

        Assert.Contains("data-testid=\"budget-run\"", html, StringComparison.Ordinal);
        Assert.Matches(@"covers \$[\d,.]+K? of \$[\d,.]+K? MRR", html);
    }

    /// <summary>
    /// A budget that leaves the costliest test out: the sum of every expectation less half the
    /// largest. Whatever the measured durations, the selection is then a real part of the suite.
    /// </summary>
    private async Task<string> PartialBudgetAsync()
    {
        var all = Tests(await SelectionAsync("01:00:00"), "selected").Select(t => t.GetProperty("terms").GetProperty("expectedSeconds").GetDouble()).ToList();
        var seconds = all.Sum() - (all.Max() / 2);
        return TimeSpan.FromSeconds(seconds).ToString("c", System.Globalization.CultureInfo.InvariantCulture);
    }

    /// <summary>Runs <c>dotnet test</c> on the built fixture assembly with the filter; answers the names that ran.</summary>
    private async Task<HashSet<string>> DotnetTestAsync(string filter)
    {
        var results = TempFolder.Create("apex-selection-trx");
        try
        {
            var start = new ProcessStartInfo("dotnet", ["test", host.Assembly, "--filter", filter, "--logger", "trx;LogFileName=run.trx", "--results-directory", results])
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
            };
            using var process = Process.Start(start)!;
            var output = process.StandardOutput.ReadToEndAsync(Ct);
            var error = process.StandardError.ReadToEndAsync(Ct);
            await process.WaitForExitAsync(Ct);
            var trx = Path.Combine(results, "run.trx");
            Assert.True(File.Exists(trx), $"dotnet test wrote no TRX (exit {process.ExitCode}):\n{await output}\n{await error}");
            XNamespace ns = "http://microsoft.com/schemas/VisualStudio/TeamTest/2010";
            return [.. XDocument.Load(trx).Descendants(ns + "TestMethod").Select(m => $"{m.Attribute("className")!.Value}.{m.Attribute("name")!.Value}")];
        }
        finally
        {
            TempFolder.Delete(results);
        }
    }
}
