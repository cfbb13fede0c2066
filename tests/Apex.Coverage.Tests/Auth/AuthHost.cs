using System.Net.Http.Headers;
using Apex.Coverage.Tests.Fixtures;
using Apex.Coverage.Tests.Ingestion;
using Apex.Coverage.Web.ApiTokens;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Apex.Coverage.Tests.Auth;

/// <summary>
/// One real dashboard host for a class of access tests (users and tokens have unique names, so the
/// tests share it). Hangfire's dashboard is opened to remote requests here, so that only the role decides.
/// </summary>
public sealed class AuthHost : IAsyncLifetime
{
    public IngestionHostFactory Factory { get; } = new(configure: b => b.UseSetting("Hangfire:DashboardAllowRemote", "true"));

    public ValueTask InitializeAsync()
    {
        _ = Factory.Server;
        return ValueTask.CompletedTask;
    }

    public async ValueTask DisposeAsync() => await Factory.DisposeAsync();

    /// <summary>A client that follows no redirect, so a test sees where it is sent.</summary>
    public HttpClient Anonymous() => Factory.CreateClient(NoRedirects);

    public Task<HttpClient> SignedInAsync(string role, string? email = null) => Factory.CreateSignedInClientAsync(role, email, NoRedirects);

    /// <summary>A client with a new token of these scopes (and suite).</summary>
    public async Task<(HttpClient Client, string Name)> TokenClientAsync(IReadOnlyList<string> scopes, string? suite = null)
    {
        var name = $"t-{Guid.NewGuid():N}"[..20];
        var created = await Factory.Services.GetRequiredService<ApiTokenStore>().CreateAsync(new ApiTokenRequest(name, scopes, suite), TestContext.Current.CancellationToken);
        var client = Anonymous();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", created.Token);
        return (client, name);
    }

    public async Task<int> RunCountAsync()
    {
        await using var db = Factory.CreateDbContext();
        return await db.TestRuns.CountAsync(TestContext.Current.CancellationToken);
    }

    public static readonly WebApplicationFactoryClientOptions NoRedirects = new() { AllowAutoRedirect = false };
}
