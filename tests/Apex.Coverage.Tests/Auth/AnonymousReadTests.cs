using System.Net;
using System.Net.Http.Json;
using Apex.Coverage.Tests.Ingestion;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;

namespace Apex.Coverage.Tests.Auth;

/// <summary>Auth:AnonymousRead (a wall screen): every read opens without signing in, no action does.</summary>
public sealed class AnonymousReadTests : IAsyncLifetime
{
    private readonly IngestionHostFactory _factory = new(configure: b => b.UseSetting("Auth:AnonymousRead", "true"));

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public ValueTask InitializeAsync() => ValueTask.CompletedTask;

    public async ValueTask DisposeAsync() => await _factory.DisposeAsync();

    [Fact]
    public async Task AnonymousRead_OpensPagesAndApiReads_ButNotSettingsOrWrites()
    {
        using var client = _factory.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false });

        using var home = await client.GetAsync("/", Ct);
        using var plan = await client.GetAsync("/api/v1/plan", Ct);
        using var settings = await client.GetAsync("/settings", Ct);
        using var start = await client.PostAsJsonAsync("/api/v1/runs", new { planItems = new[] { 1 } }, Ct);
        await using var db = _factory.CreateDbContext();

        Assert.Equal((HttpStatusCode.OK, HttpStatusCode.OK), (home.StatusCode, plan.StatusCode));
        Assert.StartsWith("/account/login", settings.Headers.Location?.PathAndQuery, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.Unauthorized, start.StatusCode);
        Assert.Empty(db.TestRuns);
    }
}
