using System.Net;
using System.Net.Http.Json;
using Apex.Coverage.Web.Access;
using Apex.Coverage.Web.ApiTokens;
using Apex.Coverage.Web.Audit;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Apex.Coverage.Tests.Auth;

/// <summary>What each role, a token and nobody may do over HTTP, each answer checked with what was (not) written.</summary>
public sealed class RoleAccessTests(AuthHost host) : IClassFixture<AuthHost>
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Theory]
    [InlineData("/")]
    [InlineData("/settings")]
    [InlineData("/runs")]
    [InlineData("/coverage/flaky")]
    public async Task AnonymousPageRequest_RedirectsToLogin_WhenAnonymousReadIsOff(string path)
    {
        using var client = host.Anonymous();

        using var response = await client.GetAsync(path, Ct);

        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.Equal($"/account/login?ReturnUrl={Uri.EscapeDataString(path)}", response.Headers.Location?.PathAndQuery);
    }

    [Theory]
    [InlineData("/api/v1/plan")]
    [InlineData("/api/v1/coverage")]
    [InlineData("/api/v1/tests")]
    [InlineData("/api/v1/runs")]
    [InlineData("/badge/coverage.svg")]
    public async Task AnonymousApiRead_Answers401Problem_WhenAnonymousReadIsOff(string path)
    {
        using var client = host.Anonymous();

        using var response = await client.GetAsync(path, Ct);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task ViewerPostOfARun_Answers403AndWritesNoRun_WithASignedInSession()
    {
        using var client = await host.SignedInAsync(DashboardRoles.Viewer);
        var before = await host.RunCountAsync();

        using var response = await client.PostAsJsonAsync("/api/v1/runs", new { planItems = new[] { 1 } }, Ct);

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.Contains("runs:write", await response.Content.ReadAsStringAsync(Ct), StringComparison.Ordinal);
        Assert.Equal(before, await host.RunCountAsync());
    }

    [Theory]
    [InlineData(DashboardRoles.Viewer, HttpStatusCode.Redirect)]
    [InlineData(DashboardRoles.Runner, HttpStatusCode.Redirect)]
    [InlineData(DashboardRoles.Admin, HttpStatusCode.OK)]
    public async Task SettingsPage_OpensForAdminsOnly(string role, HttpStatusCode expected)
    {
        using var client = await host.SignedInAsync(role);

        using var response = await client.GetAsync("/settings", Ct);

        Assert.Equal(expected, response.StatusCode);
        if (expected == HttpStatusCode.Redirect)
        {
            Assert.StartsWith("/account/denied", response.Headers.Location?.PathAndQuery, StringComparison.Ordinal);
        }
    }

    [Theory]
    [InlineData(null, HttpStatusCode.Unauthorized)]
    [InlineData(DashboardRoles.Viewer, HttpStatusCode.Forbidden)]
    [InlineData(DashboardRoles.Runner, HttpStatusCode.Forbidden)]
    [InlineData(DashboardRoles.Admin, HttpStatusCode.OK)]
    public async Task HangfireDashboard_OpensForAdminsOnly(string? role, HttpStatusCode expected)
    {
        using var client = role is null ? host.Anonymous() : await host.SignedInAsync(role);

        using var response = await client.GetAsync("/hangfire", Ct);

        Assert.Equal(expected, response.StatusCode);
    }

    [Fact]
    public async Task TokenWithResultsScopeOnly_CannotStartARun_AndWritesNoRun()
    {
        var (client, _) = await host.TokenClientAsync([ApiTokenScopes.ResultsWrite]);
        using var _ = client;
        var before = await host.RunCountAsync();

        using var response = await client.PostAsJsonAsync("/api/v1/runs", new { planItems = new[] { 1 } }, Ct);
        using var read = await client.GetAsync("/api/v1/plan", Ct);

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.Equal(HttpStatusCode.OK, read.StatusCode);
        Assert.Equal(before, await host.RunCountAsync());
    }

    [Fact]
    public async Task TokenWithRunsScopeOnly_CannotUploadResults_AndWritesNoRun()
    {
        var (client, _) = await host.TokenClientAsync([ApiTokenScopes.RunsWrite]);
        using var _ = client;
        var before = await host.RunCountAsync();

        using var response = await client.PostAsync("/api/v1/results?commit=c1",
            Ingestion.ResultsApiTests.Xml(Ingestion.IngestionFixtures.Bytes(Ingestion.IngestionFixtures.XunitTrx)), Ct);

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.Equal(before, await host.RunCountAsync());
    }

    [Fact]
    public async Task TokenLimitedToASuite_CannotStartARunOfAnother_AndCanOfItsOwn()
    {
        var (client, name) = await host.TokenClientAsync([ApiTokenScopes.RunsWrite], suite: "Fixture");
        using var _ = client;
        var before = await host.RunCountAsync();

        using var other = await client.PostAsJsonAsync("/api/v1/runs", new { suite = "L2", planItems = new[] { 1 } }, Ct);
        var afterRefusal = await host.RunCountAsync();
        using var own = await client.PostAsJsonAsync("/api/v1/runs", new { suite = "Fixture" }, Ct);

        Assert.Equal(HttpStatusCode.Forbidden, other.StatusCode);
        Assert.Equal(before, afterRefusal);
        Assert.Equal(HttpStatusCode.Accepted, own.StatusCode);
        await using var db = host.Factory.CreateDbContext();
        var audit = await db.AuditEntries.OrderByDescending(e => e.Id).FirstAsync(e => e.Actor == name, Ct);
        Assert.Equal((AuditActions.RunStarted, ActorKinds.Token), (audit.Action, audit.ActorKind));
    }

    [Fact]
    public async Task TokenLimitedToASuite_CannotUploadResultsOfAnother_AndWritesNoRun()
    {
        var (client, _) = await host.TokenClientAsync([ApiTokenScopes.ResultsWrite], suite: "Fixture");
        using var _ = client;
        var before = await host.RunCountAsync();

        using var response = await client.PostAsync("/api/v1/results?suite=L2&commit=c1",
            Ingestion.ResultsApiTests.Xml(Ingestion.IngestionFixtures.Bytes(Ingestion.IngestionFixtures.XunitTrx)), Ct);

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.Equal(before, await host.RunCountAsync());
    }

    [Fact]
    public async Task ExpiredToken_Answers401_AndLastUseIsRecordedWhileItLived()
    {
        var (client, name) = await host.TokenClientAsync(ApiTokenScopes.All);
        using var _ = client;
        await using (var before = host.Factory.CreateDbContext())
        {
            Assert.Null((await before.ApiTokens.SingleAsync(t => t.Name == name, Ct)).LastUsedAt);
        }

        using var alive = await client.GetAsync("/api/v1/plan", Ct);
        await using (var db = host.Factory.CreateDbContext())
        {
            Assert.NotNull((await db.ApiTokens.SingleAsync(t => t.Name == name, Ct)).LastUsedAt);
            await db.ApiTokens.Where(t => t.Name == name).ExecuteUpdateAsync(s => s.SetProperty(t => t.ExpiresAt, DateTimeOffset.UtcNow.AddMinutes(-1)), Ct);
        }

        using var expired = await client.GetAsync("/api/v1/plan", Ct);

        Assert.Equal(HttpStatusCode.OK, alive.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, expired.StatusCode);
    }

    [Fact]
    public async Task AuditApi_PagesForAdmins_AndRefusesOthers()
    {
        var trail = host.Factory.Services.GetRequiredService<AuditTrail>();
        var actor = $"pager-{Guid.NewGuid():N}";
        for (var i = 0; i < 3; i++)
        {
            await trail.RecordAsync(AuditActor.User(actor), AuditActions.ScheduleChanged, $"nightly-{i}", cancellationToken: Ct);
        }

        using var admin = await host.SignedInAsync(DashboardRoles.Admin);
        using var runner = await host.SignedInAsync(DashboardRoles.Runner);
        var (token, _) = await host.TokenClientAsync(ApiTokenScopes.All);
        using var __ = token;

        var page = await admin.GetFromJsonAsync<AuditPageJson>($"/api/v1/audit?actor={actor}&take=2&skip=1", Ct);
        using var refusedRunner = await runner.GetAsync("/api/v1/audit", Ct);
        using var refusedToken = await token.GetAsync("/api/v1/audit", Ct);

        Assert.Equal(3, page!.Total);
        Assert.Equal(["nightly-1", "nightly-0"], page.Entries.Select(e => e.Subject));
        Assert.Equal((HttpStatusCode.Forbidden, HttpStatusCode.Forbidden), (refusedRunner.StatusCode, refusedToken.StatusCode));
    }
}
