using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Apex.Coverage.Tests.Fixtures;
using Apex.Coverage.Tests.Runs;
using Apex.Coverage.Web.ApiTokens;
using Apex.Coverage.Web.Data;
using Apex.Coverage.Web.Mutation;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Apex.Coverage.Tests.Mutation;

/// <summary>
/// One real dashboard host whose suite L2 is tests/fixtures/Apex.Fixture.Mutation.Tests and whose
/// mutation runs go through the real Stryker.NET over Apex.Fixture.Mutation (the authentication items'
/// modules are its Pricing and Shipping folders), with a client holding a runs:write token and Stryker's
/// output in a temp folder of its own. The set-up the fixture mutation tests share.
/// </summary>
public sealed class MutationFixtureHost : IAsyncDisposable
{
    /// <summary>Item 2's test: kills `quantity &lt; 10`, lets `quantity &gt; 10` survive, reaches neither Total nor Shipping.</summary>
    public const string BulkTest = "Apex.Fixture.Mutation.Tests.BulkTests.IsBulk_IsTrueForLargeOrders_AndFalseForSmallOnes";

    private readonly PlanHostFactory _factory = new();
    private readonly string _output = Directory.CreateTempSubdirectory("apex-mutation-test").FullName;

    private MutationFixtureHost(Action<IWebHostBuilder>? configure) => Host = _factory.WithWebHostBuilder(b =>
    {
        b.UseSetting("Suites:L2:Project", TestProject)
            .UseSetting("Suites:L2:Assembly", Path.Combine(Path.GetDirectoryName(TestProject)!, "bin", "Debug", "net10.0", "Apex.Fixture.Mutation.Tests.dll"))
            .UseSetting("Mutation:Suite", "L2")
            .UseSetting("Mutation:Project", "Apex.Fixture.Mutation.csproj")
            .UseSetting("Mutation:OutputPath", _output)
            .UseSetting("Mutation:TimeBudget", "00:20:00")
            .UseSetting("Coverage:Categories:authentication-authorization:0", "Pricing")
            .UseSetting("Coverage:Categories:authentication-authorization:1", "Shipping");
        configure?.Invoke(b);
    });

    public WebApplicationFactory<Program> Host { get; }

    /// <summary>A client of the host that sends a runs:write token.</summary>
    public HttpClient Client { get; private set; } = null!;

    public IServiceProvider Services => Host.Services;

    public IDbContextFactory<CoverageDbContext> Databases => Services.GetRequiredService<IDbContextFactory<CoverageDbContext>>();

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static string TestProject =>
        Path.Combine(FixtureSuiteBuild.RepoRoot, "tests", "fixtures", "Apex.Fixture.Mutation.Tests", "Apex.Fixture.Mutation.Tests.csproj");

    /// <summary>Starts the host; <paramref name="configure"/> runs after the fixture's settings; <paramref name="tokenName"/> must be unique per store.</summary>
    public static async Task<MutationFixtureHost> StartAsync(Action<IWebHostBuilder>? configure = null, string tokenName = "mutation")
    {
        var fixture = new MutationFixtureHost(configure);
        fixture.Client = fixture.Host.CreateClient();
        var token = await fixture.Services.GetRequiredService<ApiTokenStore>().CreateAsync(new ApiTokenRequest(tokenName, [ApiTokenScopes.RunsWrite]), Ct);
        fixture.Client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token.Token);
        return fixture;
    }

    /// <summary>POST /api/v1/mutation/runs: the new run's id (asserts 202).</summary>
    public async Task<long> StartRunAsync(int planItem)
    {
        using var started = await Client.PostAsJsonAsync("/api/v1/mutation/runs", new { planItem }, Ct);
        Assert.Equal(HttpStatusCode.Accepted, started.StatusCode);
        return (await started.Content.ReadFromJsonAsync<JsonElement>(Ct)).GetProperty("id").GetInt64();
    }

    /// <summary>GET /api/v1/mutation/runs/{id} until <paramref name="until"/> holds.</summary>
    public Task<JsonElement> WaitForRunAsync(long id, Func<JsonElement, bool> until, string what, int seconds) =>
        Eventually.ThatAsync(() => Client.GetFromJsonAsync<JsonElement>($"/api/v1/mutation/runs/{id}", Ct), until, what, seconds);

    public static string Status(JsonElement run) => run.GetProperty("status").GetString()!;

    public static bool IsOver(JsonElement run) => MutationRunStatus.IsFinished(Status(run));

    public async ValueTask DisposeAsync()
    {
        Client?.Dispose();
        await Host.DisposeAsync();
        await _factory.DisposeAsync();
        TempFolder.Delete(_output);
    }
}
