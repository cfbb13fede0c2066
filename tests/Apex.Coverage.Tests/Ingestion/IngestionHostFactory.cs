using System.Net.Http.Headers;
using Apex.Coverage.Tests.Fixtures;
using Apex.Coverage.Web.ApiTokens;
using Apex.Coverage.Web.Data;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Apex.Coverage.Tests.Ingestion;

/// <summary>The real dashboard host with a SQLite file in a temp folder of its own.</summary>
public sealed class IngestionHostFactory(long? maxBodyBytes = null, Action<IWebHostBuilder>? configure = null) : WebApplicationFactory<Program>
{
    public string Folder { get; } = TempFolder.Create("apex-ingest");

    public string ConnectionString => $"Data Source={Path.Combine(Folder, "data", "coverage.db")};Pooling=False";

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseSetting("Data:ConnectionString", ConnectionString);
        builder.UseSetting("Plan:Path", PlanFixtures.PathOf(PlanFixtures.RealPlan));
        builder.UseSetting("Plan:Watch", "false");
        builder.UseSetting("Ingestion:DefaultSuite", "L2");
        // Uploads may name only configured suites (or the default one): "Fixture" is the second.
        builder.UseSetting("Suites:Fixture:Assembly", "tests/fixtures/Apex.Fixture.Results/bin/Apex.Fixture.Results.dll");
        builder.UseSetting("Suites:Fixture:BuildBeforeRun", "false");
        if (maxBodyBytes is { } max)
        {
            builder.UseSetting("Ingestion:MaxBodyBytes", $"{max}");
        }

        configure?.Invoke(builder);
    }

    /// <summary>A client that sends a fresh live token named <paramref name="tokenName"/>.</summary>
    public async Task<HttpClient> CreateAuthorizedClientAsync(string tokenName = "ci")
    {
        var client = CreateClient();
        var created = await Services.GetRequiredService<ApiTokenStore>().CreateAsync(tokenName, CancellationToken.None);
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", created.Token);
        return client;
    }

    public CoverageDbContext CreateDbContext() =>
        Services.GetRequiredService<IDbContextFactory<CoverageDbContext>>().CreateDbContext();

    public override async ValueTask DisposeAsync()
    {
        await base.DisposeAsync();
        TempFolder.Delete(Folder);
    }
}
