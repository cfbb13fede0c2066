using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Apex.Coverage.Tests.Runs;
using Apex.Coverage.Web.ApiTokens;
using Microsoft.AspNetCore.Hosting;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Apex.Coverage.Tests.Ingestion;

/// <summary>
/// Which suite an upload lands in (named, defaulted, refused), a gzip body sent without
/// Content-Encoding, and a TRX name VSTest escaped (\udXXX) meeting the same test run by the dashboard.
/// </summary>
public sealed class UploadSuiteAndEncodingTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static byte[] Trx => IngestionFixtures.Bytes(IngestionFixtures.XunitTrx);

    [Fact]
    public async Task PostResults_RefusesNamingTheConfiguredSuites_WhenSuiteIsUnknown()
    {
        await using var factory = new IngestionHostFactory();
        using var client = await factory.CreateAuthorizedClientAsync();

        using var response = await client.PostAsync("/api/v1/results?suite=L2x&commit=c1", ResultsApiTests.Xml(Trx), Ct);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>(Ct);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var detail = problem.GetProperty("detail").GetString()!;
        Assert.Contains("suite='L2x' is not a configured suite", detail, StringComparison.Ordinal);
        Assert.Contains("'Fixture'", detail, StringComparison.Ordinal);
        Assert.Contains("'L2'", detail, StringComparison.Ordinal);
        Assert.Contains("Ingestion:AllowUnknownSuites", detail, StringComparison.Ordinal);
        await using var db = factory.CreateDbContext();
        Assert.False(await db.TestRuns.AnyAsync(Ct));
    }

    [Fact]
    public async Task PostResults_StoresUnderTheNewName_WhenUnknownSuitesAreAllowed()
    {
        await using var factory = new IngestionHostFactory(configure: b => b.UseSetting("Ingestion:AllowUnknownSuites", "true"));
        using var client = await factory.CreateAuthorizedClientAsync();

        using var response = await client.PostAsync("/api/v1/results?suite=Nightly&commit=c1", ResultsApiTests.Xml(Trx), Ct);
        var json = await response.Content.ReadFromJsonAsync<JsonElement>(Ct);

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        Assert.Equal("Nightly", json.GetProperty("suite").GetString());
        Assert.Equal(JsonValueKind.Null, json.GetProperty("message").ValueKind);
    }

    [Fact]
    public async Task PostResults_SaysTheDefaultSuiteWasUsed_WhenNoSuiteIsNamed_AndKeepsConfiguredSpelling()
    {
        await using var factory = new IngestionHostFactory();
        using var client = await factory.CreateAuthorizedClientAsync();

        using var unnamed = await client.PostAsync("/api/v1/results?commit=c1", ResultsApiTests.Xml(Trx), Ct);
        using var lowerCase = await client.PostAsync("/api/v1/results?commit=c2&suite=fixture", ResultsApiTests.Xml(Trx), Ct);
        var defaulted = await unnamed.Content.ReadFromJsonAsync<JsonElement>(Ct);
        var named = await lowerCase.Content.ReadFromJsonAsync<JsonElement>(Ct);

        Assert.Equal((HttpStatusCode.Created, HttpStatusCode.Created), (unnamed.StatusCode, lowerCase.StatusCode));
        Assert.Equal("L2", defaulted.GetProperty("suite").GetString());
        Assert.Contains("default suite 'L2'", defaulted.GetProperty("message").GetString(), StringComparison.Ordinal);
        Assert.Equal("Fixture", named.GetProperty("suite").GetString());
        Assert.Equal(JsonValueKind.Null, named.GetProperty("message").ValueKind);
    }

    [Fact]
    public async Task PostResults_ReadsGzipBody_WhenContentEncodingIsMissing()
    {
        await using var factory = new IngestionHostFactory();
        using var client = await factory.CreateAuthorizedClientAsync();

        using var gzipped = await client.PostAsync("/api/v1/results?commit=c1", ResultsApiTests.Xml(IngestionFixtures.Gzip(Trx)), Ct);
        using var plainAgain = await client.PostAsync("/api/v1/results?commit=c1", ResultsApiTests.Xml(Trx), Ct);
        var json = await gzipped.Content.ReadFromJsonAsync<JsonElement>(Ct);

        Assert.Equal(HttpStatusCode.Created, gzipped.StatusCode);
        Assert.Equal(6, json.GetProperty("counts").GetProperty("total").GetInt32());
        // The same file, compressed or not, is one upload: the hash is of the file itself.
        Assert.Equal(HttpStatusCode.OK, plainAgain.StatusCode);
    }

    [Fact]
    public async Task PostResults_RefusesWithAHint_WhenGzipBodyWithoutContentEncodingIsCorrupt()
    {
        await using var factory = new IngestionHostFactory();
        using var client = await factory.CreateAuthorizedClientAsync();
        // A gzip header followed by bytes that are no deflate stream (block type 11 is reserved).
        var corrupt = IngestionFixtures.Gzip(Trx)[..10].Concat(Enumerable.Repeat((byte)0xFF, 64)).ToArray();

        using var response = await client.PostAsync("/api/v1/results?commit=c1", ResultsApiTests.Xml(corrupt), Ct);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>(Ct);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("gzip", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task TrxUploadAndDashboardRun_AreOneTest_WhenTheNameHasACharacterOutsideTheBmp()
    {
        var nunit = await FixtureSuiteBuild.BuildAsync(FixtureSuiteBuild.NUnitProject);
        await using var factory = new RunnerHostFactory(nunit);
        var run = await factory.WaitForEndAsync(await factory.StartAsync(RunnerHostFactory.Suite));
        using var client = factory.CreateClient();
        var token = await factory.Services.GetRequiredService<ApiTokenStore>().CreateAsync("ci", Ct);
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token.Token);

        using var upload = await client.PostAsync($"/api/v1/results?suite={RunnerHostFactory.Suite}&commit=c1",
            ResultsApiTests.Xml(IngestionFixtures.Bytes("nunit-unicode.trx")), Ct);

        Assert.Equal((Web.Results.RunStatus.Passed, 2), (run.Status, run.Total));
        Assert.Equal(HttpStatusCode.Created, upload.StatusCode);
        await using var db = factory.Database();
        var names = await db.TestResults.Where(r => r.SuiteName == RunnerHostFactory.Suite).Select(r => r.FullyQualifiedName).Distinct().ToListAsync(Ct);
        Assert.Equal(["Apex.Fixture.NUnit.CartTests.Accepts(\"plain\")", "Apex.Fixture.NUnit.CartTests.Accepts(\"🛒 cart\")"], names.Order(StringComparer.Ordinal));
    }
}
