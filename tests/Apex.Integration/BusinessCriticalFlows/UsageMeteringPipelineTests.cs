using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using Apex.Integration.Fakes;
using Apex.Integration.Infrastructure;
using Apex.Platform.Auth;
using Apex.Platform.Metering;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using Npgsql;

namespace Apex.Integration.BusinessCriticalFlows;

/// <summary>
/// Usage goes from the collector into real ClickHouse, is aggregated there per tenant, metric and
/// month, priced in decimal and invoiced in PostgreSQL. Between the platform and ClickHouse sits a
/// fault injector, so lost requests and lost answers happen on the wire; each event id counts once.
/// </summary>
[PlanItem(97)]
[BusinessValue(
    segment: "Usage-billed tenants (LLM tokens and agent runs past their allowance)",
    businessGoal: "Billing accuracy: every metered unit billed exactly once",
    valueImpact: "$25K MRR revenue integrity",
    strategicImpact: "Retries and redeliveries neither inflate invoices (refunds, churn) nor lose usage (leaked revenue)")]
public sealed class UsageMeteringPipelineTests(PostgresServer postgres, RedisServer redis, ClickHouseServer clickHouse) : IAsyncLifetime
{
    private readonly FakeTimeProvider _time = new(DateTimeOffset.UtcNow);
    private readonly List<HttpClient> _clients = [];
    private FaultyHttpProxy _wire = null!;
    private string _clickHouseDatabase = string.Empty;
    private PlatformInstance _platform = null!;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private DateTimeOffset LastMonth => new DateTimeOffset(_time.GetUtcNow().Year, _time.GetUtcNow().Month, 1, 0, 0, 0, TimeSpan.Zero).AddMonths(-1);

    private string LastPeriod => UsageCollector.Period(LastMonth);

    public async ValueTask InitializeAsync()
    {
        _clickHouseDatabase = await clickHouse.CreateDatabaseAsync("metering97");
        _wire = await FaultyHttpProxy.StartNewAsync(clickHouse.Endpoint);
        _platform = await PlatformInstance.StartAsync(
            new PlatformSettings(await postgres.CreateDatabaseAsync("metering97"), redis.ConnectionString, RedisServer.NewKeyPrefix("metering97"))
            {
                Services = ["metering"],
                Extra = new Dictionary<string, string?>
                {
                    ["Platform:ClickHouse:Endpoint"] = _wire.BaseAddress.ToString(),
                    ["Platform:ClickHouse:Database"] = _clickHouseDatabase,
                    ["Platform:Metering:Metrics:llm_tokens:UnitPrice"] = "0.0125",
                    ["Platform:Metering:Metrics:llm_tokens:UnitSize"] = "1000",
                    ["Platform:Metering:Metrics:llm_tokens:Included"] = "100000",
                    ["Platform:Metering:Metrics:agent_runs:UnitPrice"] = "0.35",
                },
            },
            services => services.AddSingleton<TimeProvider>(_time));
    }

    [Fact]
    public async Task Invoice_BillsAggregatedUsageToTheCent_WhenEventsAreCollectedInBatches()
    {
        var (client, tenant) = await SignInAsync();
        var (other, otherTenant) = await SignInAsync();
        Assert.Equal(HttpStatusCode.Accepted, (await CollectAsync(client, Tokens("a", 60_000, 45_500))).StatusCode);
        Assert.Equal(HttpStatusCode.Accepted, (await CollectAsync(client, [.. Tokens("b", 20_000), .. Runs("r", 7)])).StatusCode);
        Assert.Equal(HttpStatusCode.Accepted, (await CollectAsync(other, Tokens("a", 999_000))).StatusCode);

        var statement = (await client.GetFromJsonAsync<UsageStatement>($"api/usage/statements/{LastPeriod}", Ct))!;
        // 125,500 tokens, 100,000 included: 25.5 x 0.0125 = 0.31875 -> 0.32; 7 runs x 0.35 = 2.45.
        Assert.Equal([("agent_runs", 7L, 7L, 2.45m), ("llm_tokens", 3L, 125_500L, 0.32m)],
            statement.Lines.Select(line => (line.Metric, line.Events, line.Quantity, line.Amount)));
        Assert.Equal(2.77m, statement.Total);

        var invoice = await client.PostAsync(new Uri($"api/usage/invoices/{LastPeriod}", UriKind.Relative), null, Ct);
        Assert.Equal(HttpStatusCode.Created, invoice.StatusCode);
        Assert.Equal((2.77m, "usd"), await StoredInvoiceAsync(tenant));
        var again = await client.PostAsync(new Uri($"api/usage/invoices/{LastPeriod}", UriKind.Relative), null, Ct);
        Assert.Equal(HttpStatusCode.OK, again.StatusCode);
        Assert.Equal(2.77m, (await again.Content.ReadFromJsonAsync<UsageInvoice>(Ct))!.Amount);
        Assert.Equal(11.24m, (await other.GetFromJsonAsync<UsageStatement>($"api/usage/statements/{LastPeriod}", Ct))!.Total);
        Assert.Null(await StoredInvoiceAsync(otherTenant));
    }

    [Fact]
    public async Task Statement_CountsEachEventOnce_WhenBatchesAreRedeliveredConcurrentlyAndOverlap()
    {
        var (client, tenant) = await SignInAsync();
        var batch = Tokens("t", 150_000, 2_000, 3_000);
        var insertsBefore = _wire.ForwardedInserts;
        var redeliveries = await Task.WhenAll(Enumerable.Range(0, 6).Select(_ => CollectAsync(client, batch)));
        // The second batch repeats one event of the first and one of its own.
        var overlap = await CollectAsync(client, [batch[1], .. Tokens("u", 5_000), .. Tokens("u", 5_000)]);

        Assert.All(redeliveries.Append(overlap), response => Assert.Equal(HttpStatusCode.Accepted, response.StatusCode));
        // Every delivery reached ClickHouse; its background merges may fold some duplicates, never all on time.
        Assert.Equal(7, _wire.ForwardedInserts - insertsBefore);
        Assert.Equal(4, await StoredEventIdsAsync(tenant));
        var line = Assert.Single((await client.GetFromJsonAsync<UsageStatement>($"api/usage/statements/{LastPeriod}", Ct))!.Lines);
        Assert.Equal((4L, 160_000L, 60_000L, 0.75m), (line.Events, line.Quantity, line.Billable, line.Amount));
    }

    [Fact]
    public async Task Collect_CountsRetryOnce_WhenClickHouseStoredTheBatchButTheAnswerWasLost()
    {
        var (client, tenant) = await SignInAsync();
        var batch = Runs("lost", 4);
        _wire.Fault = ProxyFault.LoseResponse;

        var lost = await CollectAsync(client, batch);

        Assert.Equal(HttpStatusCode.ServiceUnavailable, lost.StatusCode);
        Assert.Contains("counted once", await lost.Content.ReadAsStringAsync(Ct), StringComparison.Ordinal);
        Assert.Equal(4, await StoredEventIdsAsync(tenant));
        _wire.Fault = ProxyFault.None;
        var insertsBefore = _wire.ForwardedInserts;
        Assert.Equal(HttpStatusCode.Accepted, (await CollectAsync(client, batch)).StatusCode);
        Assert.Equal((1, 4L), (_wire.ForwardedInserts - insertsBefore, await StoredEventIdsAsync(tenant)));
        var line = Assert.Single((await client.GetFromJsonAsync<UsageStatement>($"api/usage/statements/{LastPeriod}", Ct))!.Lines);
        Assert.Equal((4L, 1.40m), (line.Events, line.Amount));
    }

    [Fact]
    public async Task Collect_StoresNothingAndAnswers503_WhenClickHouseIsUnreachable()
    {
        var (client, tenant) = await SignInAsync();
        var batch = Runs("down", 3);
        _wire.Fault = ProxyFault.Unreachable;

        var refused = await CollectAsync(client, batch);

        Assert.Equal(HttpStatusCode.ServiceUnavailable, refused.StatusCode);
        _wire.Fault = ProxyFault.None;
        Assert.Equal(0, await StoredRowsAsync(tenant));
        Assert.Empty((await client.GetFromJsonAsync<UsageStatement>($"api/usage/statements/{LastPeriod}", Ct))!.Lines);
        Assert.Equal(HttpStatusCode.Accepted, (await CollectAsync(client, batch)).StatusCode);
        Assert.Equal(1.05m, (await client.GetFromJsonAsync<UsageStatement>($"api/usage/statements/{LastPeriod}", Ct))!.Total);
    }

    [Theory]
    [InlineData("no id", "'id' is required")]
    [InlineData("unknown metric", "Unknown metric 'gpu_seconds'")]
    [InlineData("zero quantity", "'quantity' must be a positive whole number")]
    [InlineData("future", "'occurredAt' is in the future")]
    public async Task Collect_RefusesWholeBatchAndStoresNothing_WhenAnEventIsInvalid(string fault, string expected)
    {
        var (client, tenant) = await SignInAsync();
        var valid = Runs("ok", 2)[0];
        var invalid = fault switch
        {
            "no id" => valid with { Id = null },
            "unknown metric" => valid with { Id = "bad", Metric = "gpu_seconds" },
            "zero quantity" => valid with { Id = "bad", Quantity = 0 },
            _ => valid with { Id = "bad", OccurredAt = _time.GetUtcNow().AddHours(1) },
        };

        var response = await CollectAsync(client, [valid, invalid]);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains(expected, await response.Content.ReadAsStringAsync(Ct), StringComparison.Ordinal);
        Assert.Equal(0, await StoredRowsAsync(tenant));
    }

    [Fact]
    public async Task Invoice_IsRefusedForOpenPeriodAndLateEventsForInvoicedOne_WhenBillingWouldGoWrong()
    {
        var (client, tenant) = await SignInAsync();
        var thisPeriod = UsageCollector.Period(_time.GetUtcNow());
        Assert.Equal(HttpStatusCode.Accepted, (await CollectAsync(client, Runs("early", 2))).StatusCode);

        var open = await client.PostAsync(new Uri($"api/usage/invoices/{thisPeriod}", UriKind.Relative), null, Ct);
        Assert.Equal(HttpStatusCode.Conflict, open.StatusCode);
        Assert.Equal(HttpStatusCode.Created, (await client.PostAsync(new Uri($"api/usage/invoices/{LastPeriod}", UriKind.Relative), null, Ct)).StatusCode);
        var late = await CollectAsync(client, Runs("late", 1));

        Assert.Equal(HttpStatusCode.BadRequest, late.StatusCode);
        Assert.Contains($"Usage for {LastPeriod} is already invoiced", await late.Content.ReadAsStringAsync(Ct), StringComparison.Ordinal);
        Assert.Equal(2, await StoredRowsAsync(tenant));
        Assert.Equal((0.70m, "usd"), await StoredInvoiceAsync(tenant));
    }

    private UsageEvent[] Tokens(string prefix, params long[] quantities) =>
        [.. quantities.Select((quantity, i) => new UsageEvent($"{prefix}-{i}", "llm_tokens", quantity, LastMonth.AddDays(3).AddMinutes(i)))];

    private UsageEvent[] Runs(string prefix, int count) =>
        [.. Enumerable.Range(0, count).Select(i => new UsageEvent($"{prefix}-{i}", "agent_runs", 1, LastMonth.AddDays(10).AddMinutes(i)))];

    private static Task<HttpResponseMessage> CollectAsync(HttpClient client, UsageEvent[] events) =>
        client.PostAsJsonAsync("api/usage/events", new { events }, Ct);

    private async Task<long> StoredEventIdsAsync(Guid tenantId) => long.Parse(
        await clickHouse.ExecuteAsync($"SELECT uniqExact(event_id) FROM {_clickHouseDatabase}.usage_events WHERE tenant_id = '{tenantId:N}'"), CultureInfo.InvariantCulture);

    private async Task<long> StoredRowsAsync(Guid tenantId) => long.Parse(
        await clickHouse.ExecuteAsync($"SELECT count() FROM {_clickHouseDatabase}.usage_events WHERE tenant_id = '{tenantId:N}'"), CultureInfo.InvariantCulture);

    private async Task<(decimal Amount, string Currency)?> StoredInvoiceAsync(Guid tenantId)
    {
        await using var command = _platform.Services.GetRequiredService<NpgsqlDataSource>()
            .CreateCommand("SELECT amount, currency FROM usage_invoices WHERE tenant_id = $1");
        command.Parameters.Add(new NpgsqlParameter { Value = tenantId });
        await using var reader = await command.ExecuteReaderAsync(Ct);
        return await reader.ReadAsync(Ct) ? (reader.GetDecimal(0), reader.GetString(1)) : null;
    }

    /// <summary>A user in a tenant of their own (a fresh email domain) with a platform token.</summary>
    private async Task<(HttpClient Client, Guid TenantId)> SignInAsync()
    {
        var subject = Guid.NewGuid().ToString("N");
        var user = await _platform.Services.GetRequiredService<UserDirectory>()
            .UpsertFromProviderAsync("oauth", new ExternalIdentity(subject, $"mo@{subject}.example", "Mo"), Ct);
        var token = _platform.Services.GetRequiredService<AccessTokenIssuer>().Issue(user, Guid.NewGuid().ToString("N")).AccessToken;
        var client = new HttpClient { BaseAddress = _platform.BaseAddress };
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        _clients.Add(client);
        return (client, user.TenantId);
    }

    public async ValueTask DisposeAsync()
    {
        _clients.ForEach(client => client.Dispose());
        await _platform.DisposeAsync();
        await _wire.DisposeAsync();
    }
}
