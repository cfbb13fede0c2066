using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Apex.Coverage.Web.Results;
using Apex.Coverage.Web.Runs;
using Microsoft.EntityFrameworkCore;

namespace Apex.Coverage.Tests.Ingestion;

public sealed class ResultsApiTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    internal static ByteArrayContent Xml(byte[] bytes)
    {
        var content = new ByteArrayContent(bytes);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/xml");
        return content;
    }

    [Fact]
    public async Task PostResults_StoresCiRunWithResults_WhenTrxIsPosted()
    {
        await using var factory = new IngestionHostFactory();
        using var client = await factory.CreateAuthorizedClientAsync("github");

        using var response = await client.PostAsync(
            "/api/v1/results?commit=abc123&branch=main&buildUrl=https://ci.example/build/7",
            Xml(IngestionFixtures.Bytes(IngestionFixtures.XunitTrx)), Ct);
        var json = await response.Content.ReadFromJsonAsync<JsonElement>(Ct);

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var id = json.GetProperty("id").GetInt64();
        Assert.Equal($"/api/v1/runs/{id}", response.Headers.Location?.OriginalString);
        Assert.Equal(("failed", "ci", "L2", false), (json.GetProperty("status").GetString(), json.GetProperty("source").GetString(),
            json.GetProperty("suite").GetString(), json.GetProperty("duplicate").GetBoolean()));
        var counts = json.GetProperty("counts");
        Assert.Equal((6, 4, 1, 1), (counts.GetProperty("total").GetInt32(), counts.GetProperty("passed").GetInt32(),
            counts.GetProperty("failed").GetInt32(), counts.GetProperty("skipped").GetInt32()));
        await using var db = factory.CreateDbContext();
        var run = await db.TestRuns.Include(r => r.Results).SingleAsync(r => r.Id == id, Ct);
        Assert.Equal((RunSource.Ci, RunStatus.Failed, "abc123", "main", "https://ci.example/build/7", "github"),
            (run.Source, run.Status, run.Commit, run.Branch, run.BuildUrl, run.TokenName));
        Assert.Equal(6, run.Results.Count);
        Assert.All(run.Results, r => Assert.Equal("abc123", r.Commit));
    }

    [Fact]
    public async Task GetRun_ShowsUploadedRunAsCi_WhenJUnitWasPosted()
    {
        await using var factory = new IngestionHostFactory();
        using var client = await factory.CreateAuthorizedClientAsync();
        using var posted = await client.PostAsync("/api/v1/results?commit=feed", Xml(IngestionFixtures.Bytes(IngestionFixtures.XunitJUnit)), Ct);

        var run = await client.GetFromJsonAsync<JsonElement>(posted.Headers.Location!.OriginalString, Ct);

        Assert.Equal(("ci", "failed"), (run.GetProperty("source").GetString(), run.GetProperty("status").GetString()));
        Assert.Equal(6, run.GetProperty("results").GetArrayLength());
    }

    [Fact]
    public async Task PostResults_MakesTestsKnownWithPlanItems_WhenJUnitCarriesPlanIdTraits()
    {
        await using var factory = new IngestionHostFactory();
        using var client = await factory.CreateAuthorizedClientAsync();

        using var response = await client.PostAsync("/api/v1/results?suite=Fixture",
            Xml(IngestionFixtures.Bytes(IngestionFixtures.XunitJUnit)), Ct);

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        await using var db = factory.CreateDbContext();
        var tests = await db.DiscoveredTests.Where(t => t.SuiteName == "Fixture").ToDictionaryAsync(t => t.FullyQualifiedName, Ct);
        Assert.Equal(4, tests.Count);
        var theory = tests["Apex.Fixture.Results.CheckoutTests.Add_ReturnsSum_ForEachRow"];
        Assert.Equal("1,4", theory.PlanItems);
        Assert.Contains("\"PlanId\":[\"1\",\"4\"]", theory.TraitsJson, StringComparison.Ordinal);
    }

    [Fact]
    public async Task PostResults_KeepsStoredTraits_WhenLaterTrxCarriesNone()
    {
        await using var factory = new IngestionHostFactory();
        using var client = await factory.CreateAuthorizedClientAsync();
        (await client.PostAsync("/api/v1/results", Xml(IngestionFixtures.Bytes(IngestionFixtures.XunitJUnit)), Ct)).Dispose();

        using var response = await client.PostAsync("/api/v1/results", Xml(IngestionFixtures.Bytes(IngestionFixtures.XunitTrx)), Ct);

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        await using var db = factory.CreateDbContext();
        var login = await db.DiscoveredTests.SingleAsync(t => t.FullyQualifiedName.EndsWith("Login_Succeeds_WhenPasswordIsRight"), Ct);
        Assert.Equal("1", login.PlanItems);
        Assert.Equal(2, await db.TestRuns.CountAsync(Ct));
    }

    [Fact]
    public async Task PostResults_MapsKnownTestsToPlanItems_WhenLaterFileCarriesTraits()
    {
        await using var factory = new IngestionHostFactory();
        using var client = await factory.CreateAuthorizedClientAsync();
        (await client.PostAsync("/api/v1/results", Xml(IngestionFixtures.Bytes(IngestionFixtures.XunitTrx)), Ct)).Dispose();
        await using (var before = factory.CreateDbContext())
        {
            Assert.All(await before.DiscoveredTests.ToListAsync(Ct), t => Assert.Equal(string.Empty, t.PlanItems));
        }

        using var response = await client.PostAsync("/api/v1/results", Xml(IngestionFixtures.Bytes(IngestionFixtures.XunitJUnit)), Ct);

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        await using var db = factory.CreateDbContext();
        var planItems = await db.DiscoveredTests.OrderBy(t => t.FullyQualifiedName).Select(t => t.PlanItems).ToListAsync(Ct);
        Assert.Equal(["1,4", "3", "1", "2"], planItems);
    }

    [Fact]
    public async Task PostResults_AcceptsMultipartFile_WhenPytestFileIsUploadedAsForm()
    {
        await using var factory = new IngestionHostFactory();
        using var client = await factory.CreateAuthorizedClientAsync();
        using var form = new MultipartFormDataContent();
        form.Add(new ByteArrayContent(IngestionFixtures.Bytes(IngestionFixtures.PytestJUnit)), "file", "pytest-junit.xml");

        using var response = await client.PostAsync("/api/v1/results?commit=c1", form, Ct);
        var json = await response.Content.ReadFromJsonAsync<JsonElement>(Ct);

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        Assert.Equal(6, json.GetProperty("counts").GetProperty("total").GetInt32());
        await using var db = factory.CreateDbContext();
        Assert.Contains("pytest-junit.xml", (await db.TestRuns.SingleAsync(Ct)).Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task PostResults_DecompressesMultipartFile_WhenFileNameEndsInGz()
    {
        await using var factory = new IngestionHostFactory();
        using var client = await factory.CreateAuthorizedClientAsync();
        using var form = new MultipartFormDataContent();
        form.Add(new ByteArrayContent(IngestionFixtures.Gzip(IngestionFixtures.Bytes(IngestionFixtures.XunitJUnit))), "file", "results.xml.gz");

        using var response = await client.PostAsync("/api/v1/results", form, Ct);
        var json = await response.Content.ReadFromJsonAsync<JsonElement>(Ct);

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        Assert.Equal(6, json.GetProperty("counts").GetProperty("total").GetInt32());
    }

    [Fact]
    public async Task PostResults_AcceptsGzipBody_WhenContentEncodingIsGzip()
    {
        await using var factory = new IngestionHostFactory();
        using var client = await factory.CreateAuthorizedClientAsync();
        var content = Xml(IngestionFixtures.Gzip(IngestionFixtures.Bytes(IngestionFixtures.XunitTrx)));
        content.Headers.ContentEncoding.Add("gzip");

        using var response = await client.PostAsync("/api/v1/results", content, Ct);
        var json = await response.Content.ReadFromJsonAsync<JsonElement>(Ct);

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        Assert.Equal(6, json.GetProperty("counts").GetProperty("total").GetInt32());
    }

    [Fact]
    public async Task PostResults_AnswersExistingRun_WhenSameFileIsPostedTwiceForSameCommit()
    {
        await using var factory = new IngestionHostFactory();
        using var client = await factory.CreateAuthorizedClientAsync();
        var bytes = IngestionFixtures.Bytes(IngestionFixtures.XunitTrx);
        using var first = await client.PostAsync("/api/v1/results?commit=abc", Xml(bytes), Ct);
        var gzipped = Xml(IngestionFixtures.Gzip(bytes));
        gzipped.Headers.ContentEncoding.Add("gzip");

        using var second = await client.PostAsync("/api/v1/results?commit=abc", gzipped, Ct);
        using var otherCommit = await client.PostAsync("/api/v1/results?commit=def", Xml(bytes), Ct);

        var (a, b) = (await first.Content.ReadFromJsonAsync<JsonElement>(Ct), await second.Content.ReadFromJsonAsync<JsonElement>(Ct));
        Assert.Equal((HttpStatusCode.Created, HttpStatusCode.OK, HttpStatusCode.Created), (first.StatusCode, second.StatusCode, otherCommit.StatusCode));
        Assert.Equal(a.GetProperty("id").GetInt64(), b.GetProperty("id").GetInt64());
        Assert.True(b.GetProperty("duplicate").GetBoolean());
        await using var db = factory.CreateDbContext();
        Assert.Equal((2, 12), (await db.TestRuns.CountAsync(Ct), await db.TestResults.CountAsync(Ct)));
    }

    [Fact]
    public async Task PostResults_Answers409_WhenIdempotencyKeyRepeatsWithOtherFile()
    {
        await using var factory = new IngestionHostFactory();
        using var client = await factory.CreateAuthorizedClientAsync();
        using var first = new HttpRequestMessage(HttpMethod.Post, "/api/v1/results") { Content = Xml(IngestionFixtures.Bytes(IngestionFixtures.XunitTrx)) };
        first.Headers.Add("Idempotency-Key", "build-42");
        using var retry = new HttpRequestMessage(HttpMethod.Post, "/api/v1/results") { Content = Xml(IngestionFixtures.Bytes(IngestionFixtures.XunitJUnit)) };
        retry.Headers.Add("Idempotency-Key", "build-42");

        using var created = await client.SendAsync(first, Ct);
        using var replayed = await client.SendAsync(retry, Ct);

        // The same key with another file is not a retry: answering the old run would hide the new file.
        Assert.Equal((HttpStatusCode.Created, HttpStatusCode.Conflict), (created.StatusCode, replayed.StatusCode));
        Assert.Equal("application/problem+json", replayed.Content.Headers.ContentType?.MediaType);
        await using var db = factory.CreateDbContext();
        Assert.Equal("build-42", (await db.TestRuns.SingleAsync(Ct)).IdempotencyKey);
    }

    [Fact]
    public async Task PostResults_StoresEveryRun_WhenTwentyUploadsArriveAtOnce()
    {
        await using var factory = new IngestionHostFactory();
        using var client = await factory.CreateAuthorizedClientAsync();

        var responses = await Task.WhenAll(Enumerable.Range(0, 20).Select(i =>
            client.PostAsync($"/api/v1/results?commit=c{i}", Xml(System.Text.Encoding.UTF8.GetBytes(IngestionFixtures.Trx(200, $"u{i}-"))), Ct)));

        Assert.All(responses, r => Assert.Equal(HttpStatusCode.Created, r.StatusCode));
        var ids = await Task.WhenAll(responses.Select(async r => (await r.Content.ReadFromJsonAsync<JsonElement>(Ct)).GetProperty("id").GetInt64()));
        Assert.Equal(20, ids.Distinct().Count());
        await using var db = factory.CreateDbContext();
        Assert.Equal((20, 4000), (await db.TestRuns.CountAsync(Ct), await db.TestResults.CountAsync(Ct)));
        Assert.Equal(200, await db.DiscoveredTests.CountAsync(Ct));
        foreach (var response in responses)
        {
            response.Dispose();
        }
    }
}
