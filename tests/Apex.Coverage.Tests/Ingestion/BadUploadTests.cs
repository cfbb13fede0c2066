using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Apex.Coverage.Web.Results;
using Microsoft.EntityFrameworkCore;

namespace Apex.Coverage.Tests.Ingestion;

/// <summary>Every bad upload is answered 4xx with problem details, and leaves nothing stored.</summary>
public sealed class BadUploadTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public static TheoryData<string, int, string> BadBodies => new()
    {
        { "dtd-xxe", 400, "DTD not allowed" },
        { "billion-laughs", 400, "DTD not allowed" },
        { "truncated", 400, "Result file is not well-formed XML" },
        { "unknown-root", 400, "Not a TRX or JUnit XML file" },
        { "empty", 400, "Empty body" },
        { "not-gzip", 400, "Body is not valid gzip" },
    };

    [Theory]
    [MemberData(nameof(BadBodies))]
    public async Task PostResults_AnswersProblemAndStoresNothing_WhenBodyIsBad(string body, int status, string title)
    {
        await using var factory = new IngestionHostFactory();
        using var client = await factory.CreateAuthorizedClientAsync();
        var content = ResultsApiTests.Xml(BodyOf(body));
        if (body == "not-gzip")
        {
            content.Headers.ContentEncoding.Add("gzip");
        }

        using var response = await client.PostAsync("/api/v1/results?commit=abc", content, Ct);

        await AssertProblemAsync(response, status, title);
        await AssertNothingStoredAsync(factory);
    }

    [Fact]
    public async Task PostResults_Answers415_WhenContentTypeIsNotXml()
    {
        await using var factory = new IngestionHostFactory();
        using var client = await factory.CreateAuthorizedClientAsync();

        using var response = await client.PostAsync("/api/v1/results",
            new StringContent("""{"tests": []}""", Encoding.UTF8, "application/json"), Ct);

        var problem = await AssertProblemAsync(response, 415, "Unsupported content type");
        Assert.Contains("Content-Type: application/xml", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
        await AssertNothingStoredAsync(factory);
    }

    [Fact]
    public async Task PostResults_Answers415_WhenContentEncodingIsNotGzip()
    {
        await using var factory = new IngestionHostFactory();
        using var client = await factory.CreateAuthorizedClientAsync();
        var content = ResultsApiTests.Xml(IngestionFixtures.Bytes(IngestionFixtures.XunitTrx));
        content.Headers.ContentEncoding.Add("br");

        using var response = await client.PostAsync("/api/v1/results", content, Ct);

        var problem = await AssertProblemAsync(response, 415, "Content-Encoding not supported");
        Assert.Contains("gzip", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
        await AssertNothingStoredAsync(factory);
    }

    [Fact]
    public async Task Start_FailsNamingTheKey_WhenMaxBodyBytesIsInvalid()
    {
        await using var factory = new IngestionHostFactory(maxBodyBytes: 10);

        var ex = Assert.ThrowsAny<Exception>(() => factory.CreateClient());

        Assert.Contains("Ingestion:MaxBodyBytes must be between", ex.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task PostResults_Answers413_WhenBodyIsOverTheLimit()
    {
        await using var factory = new IngestionHostFactory(maxBodyBytes: 4096);
        using var client = await factory.CreateAuthorizedClientAsync();

        using var response = await client.PostAsync("/api/v1/results", ResultsApiTests.Xml(Encoding.UTF8.GetBytes(IngestionFixtures.Trx(100))), Ct);

        var problem = await AssertProblemAsync(response, 413, "Result file too large");
        Assert.Contains("Ingestion:MaxBodyBytes", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
        await AssertNothingStoredAsync(factory);
    }

    [Fact]
    public async Task PostResults_Answers413_WhenGzipBodyInflatesPastTheLimit()
    {
        await using var factory = new IngestionHostFactory(maxBodyBytes: 1024 * 1024);
        using var client = await factory.CreateAuthorizedClientAsync();
        var bomb = IngestionFixtures.Gzip(Encoding.UTF8.GetBytes("<testsuites>" + new string(' ', 16 * 1024 * 1024) + "</testsuites>"));
        var content = ResultsApiTests.Xml(bomb);
        content.Headers.ContentEncoding.Add("gzip");

        using var response = await client.PostAsync("/api/v1/results", content, Ct);

        Assert.True(bomb.Length < 200 * 1024, $"the bomb is small on the wire ({bomb.Length} bytes)");
        var problem = await AssertProblemAsync(response, 413, "Result file too large");
        Assert.Contains("decompressed", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
        await AssertNothingStoredAsync(factory);
    }

    [Theory]
    [InlineData("source=jenkins", "Unknown source")]
    [InlineData("buildUrl=not-a-link", "buildUrl is not a link")]
    public async Task PostResults_Answers400_WhenQueryIsInvalid(string query, string title)
    {
        await using var factory = new IngestionHostFactory();
        using var client = await factory.CreateAuthorizedClientAsync();

        using var response = await client.PostAsync($"/api/v1/results?{query}", ResultsApiTests.Xml(IngestionFixtures.Bytes(IngestionFixtures.XunitTrx)), Ct);

        await AssertProblemAsync(response, 400, title);
        await AssertNothingStoredAsync(factory);
    }

    private static byte[] BodyOf(string name) => Encoding.UTF8.GetBytes(name switch
    {
        "dtd-xxe" => HostileFiles.ExternalEntity("/etc/passwd"),
        "billion-laughs" => HostileFiles.BillionLaughs,
        "truncated" => HostileFiles.Truncated,
        "unknown-root" => HostileFiles.UnknownRoot,
        "not-gzip" => "<testsuites />",
        _ => string.Empty,
    });

    internal static async Task<JsonElement> AssertProblemAsync(HttpResponseMessage response, int status, string title)
    {
        Assert.Equal(status, (int)response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>(Ct);
        Assert.Equal(title, problem.GetProperty("title").GetString());
        Assert.False(string.IsNullOrWhiteSpace(problem.GetProperty("detail").GetString()));
        return problem;
    }

    private static async Task AssertNothingStoredAsync(IngestionHostFactory factory)
    {
        await using var db = factory.CreateDbContext();
        Assert.Equal((0, 0, 0), (await db.TestRuns.CountAsync(Ct), await db.TestResults.CountAsync(Ct), await db.DiscoveredTests.CountAsync(Ct)));
    }
}
