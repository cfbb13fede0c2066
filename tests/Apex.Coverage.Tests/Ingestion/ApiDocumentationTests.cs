using System.Net;
using System.Net.Http.Json;
using System.Text.Json;

namespace Apex.Coverage.Tests.Ingestion;

public sealed class ApiDocumentationTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task OpenApi_DescribesUploadWithBearerAndFileBody_WhenDocumentIsServed()
    {
        await using var factory = new IngestionHostFactory();
        using var client = factory.CreateClient();

        var document = await client.GetFromJsonAsync<JsonElement>("/openapi/v1.json", Ct);

        Assert.Equal("http", document.GetProperty("components").GetProperty("securitySchemes").GetProperty("Bearer").GetProperty("type").GetString());
        var post = document.GetProperty("paths").GetProperty("/api/v1/results").GetProperty("post");
        Assert.True(post.GetProperty("security")[0].TryGetProperty("Bearer", out _));
        var content = post.GetProperty("requestBody").GetProperty("content");
        Assert.Equal(["application/xml", "text/xml", "multipart/form-data"], content.EnumerateObject().Select(p => p.Name));
        var parameters = post.GetProperty("parameters").EnumerateArray().Select(p => p.GetProperty("name").GetString()).ToList();
        Assert.Equal(["commit", "branch", "source", "buildUrl", "suite", "Idempotency-Key"], parameters);
        Assert.True(post.GetProperty("responses").TryGetProperty("413", out _));
    }

    [Fact]
    public async Task ApiReference_ServesInteractivePage_WhenBrowsed()
    {
        await using var factory = new IngestionHostFactory();
        using var client = factory.CreateClient();

        using var response = await client.GetAsync("/scalar/v1", Ct);
        var html = await response.Content.ReadAsStringAsync(Ct);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains("<title>Apex Coverage API</title>", html, StringComparison.Ordinal);
        Assert.Contains("openapi/v1.json", html, StringComparison.Ordinal);
    }
}
