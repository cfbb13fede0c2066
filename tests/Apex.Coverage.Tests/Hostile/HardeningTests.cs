using Apex.Coverage.Web.Access;
using Apex.Coverage.Tests.Fixtures;
using System.Collections.Concurrent;
using System.Net;
using Apex.Coverage.Tests.Ingestion;
using Apex.Coverage.Web.Analytics;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Apex.Coverage.Tests.Hostile;

/// <summary>Security headers, forwarded headers, allowed hosts and the snapshot race, through real hosts.</summary>
public sealed class HardeningTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Page_CarriesSecurityHeadersAndNoncedImportMap_WhenServed()
    {
        await using var factory = new IngestionHostFactory();
        using var client = await factory.CreateSignedInClientAsync(DashboardRoles.Viewer);

        using var page = await client.GetAsync("/", Ct);
        using var api = await client.GetAsync("/api/v1/plan", Ct);

        var html = await page.Content.ReadAsStringAsync(Ct);
        // Blazor adds its own "frame-ancestors 'self'" policy beside the dashboard's; both apply.
        var policy = page.Headers.GetValues("Content-Security-Policy").Single(p => p.Contains("script-src", StringComparison.Ordinal));
        var nonce = System.Text.RegularExpressions.Regex.Match(policy, "'nonce-([^']+)'").Groups[1].Value;
        Assert.NotEmpty(nonce);
        Assert.Contains("script-src 'self' 'nonce-", policy, StringComparison.Ordinal);
        Assert.DoesNotContain("unsafe-eval", policy, StringComparison.Ordinal);
        Assert.Contains("frame-ancestors 'none'", policy, StringComparison.Ordinal);
        Assert.True(html.Contains($"<script type=\"importmap\" nonce=\"{nonce}\"", StringComparison.Ordinal), html[..Math.Min(html.Length, 3000)]);
        foreach (var response in new[] { page, api })
        {
            Assert.Equal("nosniff", response.Headers.GetValues("X-Content-Type-Options").Single());
            Assert.Equal("strict-origin-when-cross-origin", response.Headers.GetValues("Referrer-Policy").Single());
        }
    }

    [Theory]
    [InlineData(null, "198.51.100.7|http")]
    [InlineData("198.51.100.7", "203.0.113.9|https")]
    public async Task Request_HonoursForwardedHeaders_OnlyFromConfiguredProxy(string? proxy, string seen)
    {
        await using var factory = new IngestionHostFactory(configure: builder =>
        {
            if (proxy is not null)
            {
                builder.UseSetting("Edge:KnownProxies:0", proxy);
            }

            builder.ConfigureServices(s => s.AddSingleton<IStartupFilter>(new EchoClient()));
        });

        var context = await factory.Server.SendAsync(c =>
        {
            c.Request.Method = "GET";
            c.Request.Path = "/__echo-client";
            c.Connection.RemoteIpAddress = IPAddress.Parse("198.51.100.7");
            c.Request.Headers["X-Forwarded-For"] = "203.0.113.9";
            c.Request.Headers["X-Forwarded-Proto"] = "https";
        }, Ct);

        Assert.Equal(seen, context.Response.Headers["X-Echo"].ToString());
    }

    [Theory]
    [InlineData("coverage.example", HttpStatusCode.OK)]
    [InlineData("evil.example", HttpStatusCode.BadRequest)]
    public async Task Request_IsRefused_WhenHostIsNotAllowed(string hostName, HttpStatusCode expected)
    {
        await using var factory = new IngestionHostFactory(configure: b => b.UseSetting("AllowedHosts", "coverage.example;localhost"));
        using var client = await factory.CreateSignedInClientAsync(DashboardRoles.Viewer);
        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/v1/plan");
        request.Headers.Host = hostName;

        using var response = await client.SendAsync(request, Ct);

        Assert.Equal(expected, response.StatusCode);
    }

    [Fact]
    public async Task RecordTrend_StoresOneSnapshotWithoutErrorLogs_WhenRecordersRace()
    {
        var errors = new ConcurrentQueue<string>();
        await using var factory = new IngestionHostFactory(configure: b => b.ConfigureLogging(l => l.AddProvider(new ErrorCollector(errors))));
        using var client = await factory.CreateAuthorizedClientAsync();
        using var upload = await client.PostAsync("/api/v1/results", HostileHost.Xml(HostileHost.JUnit(HostileHost.Case("Race", "One"))), Ct);
        var services = factory.Services;
        var report = await services.GetRequiredService<CoverageReportHub>().GetAsync() ?? throw new InvalidOperationException("no report");
        var trend = services.GetRequiredService<CoverageTrend>();
        await using (var db = factory.CreateDbContext())
        {
            await db.CoverageSnapshots.ExecuteDeleteAsync(Ct);
        }

        await Task.WhenAll(Enumerable.Range(0, 12).Select(_ => Task.Run(() => trend.RecordAsync(report, Ct), Ct)));

        await using var check = factory.CreateDbContext();
        Assert.Equal(HttpStatusCode.Created, upload.StatusCode);
        Assert.Equal(1, await check.CoverageSnapshots.CountAsync(Ct));
        Assert.DoesNotContain(errors, e => e.Contains("CoverageSnapshots", StringComparison.Ordinal) || e.Contains("UNIQUE constraint", StringComparison.Ordinal));
    }

    private sealed class EchoClient : IStartupFilter
    {
        // After the dashboard's pipeline: a path nothing maps falls through to here.
        public Action<IApplicationBuilder> Configure(Action<IApplicationBuilder> next) => app =>
        {
            next(app);
            app.Run(context =>
            {
                context.Response.Headers["X-Echo"] = $"{context.Connection.RemoteIpAddress}|{context.Request.Scheme}";
                return Task.CompletedTask;
            });
        };
    }

    internal sealed class ErrorCollector(ConcurrentQueue<string> errors) : ILoggerProvider
    {
        public ILogger CreateLogger(string categoryName) => new Logger(categoryName, errors);

        public void Dispose()
        {
        }

        private sealed class Logger(string category, ConcurrentQueue<string> errors) : ILogger
        {
            public IDisposable? BeginScope<TState>(TState state)
                where TState : notnull => null;

            public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Error;

            public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
            {
                if (logLevel >= LogLevel.Error)
                {
                    errors.Enqueue($"{category}: {formatter(state, exception)} {exception}");
                }
            }
        }
    }
}
