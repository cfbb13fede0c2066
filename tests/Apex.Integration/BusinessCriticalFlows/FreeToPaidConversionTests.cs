using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Apex.Integration.Fakes;
using Apex.Integration.Infrastructure;
using Apex.Platform.Auth;
using Apex.Platform.Billing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using Npgsql;

namespace Apex.Integration.BusinessCriticalFlows;

/// <summary>
/// A free tenant runs out of agent runs, upgrades through a checkout session the platform opens
/// at a fake payment gateway over HTTP, and the gateway confirms with a signed webhook. Only a
/// verified, fresh, first delivery of a successful payment may unlock the paid plan.
/// </summary>
[PlanItem(96)]
[BusinessValue(
    segment: "Free tier users converting to paid",
    businessGoal: "Revenue generation: turn plan-limit hits into paid subscriptions",
    valueImpact: "$30K MRR growth",
    strategicImpact: "Upgrades unlock at once and only for verified payments, so conversion is neither lost nor given away")]
public sealed class FreeToPaidConversionTests(PostgresServer postgres, RedisServer redis) : IAsyncLifetime
{
    private const int FreeRuns = 2;
    private readonly FakeTimeProvider _time = new(DateTimeOffset.UtcNow);
    private readonly List<HttpClient> _clients = [];
    private FakeLlmProvider _llm = null!;
    private FakePaymentGateway _gateway = null!;
    private string _database = string.Empty;
    private PlatformInstance _platform = null!;
    private Uri _webhook = null!;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync()
    {
        _llm = await FakeLlmProvider.StartNewAsync();
        _llm.Fallback = _ => LlmReply.Answer("Done.");
        _gateway = await FakePaymentGateway.StartNewAsync(_time);
        _database = await postgres.CreateDatabaseAsync("billing96");
        _platform = await PlatformInstance.StartAsync(
            new PlatformSettings(_database, redis.ConnectionString, RedisServer.NewKeyPrefix("billing96"))
            {
                Services = ["agents", "billing"],
                Extra = new Dictionary<string, string?>
                {
                    ["Platform:Llm:Endpoint"] = _llm.Endpoint.ToString(),
                    ["Platform:Llm:ApiKey"] = FakeLlmProvider.ApiKey,
                    ["Platform:Billing:GatewayUrl"] = _gateway.BaseAddress.ToString(),
                    ["Platform:Billing:GatewayApiKey"] = FakePaymentGateway.ApiKey,
                    ["Platform:Billing:WebhookSecret"] = FakePaymentGateway.WebhookSecret,
                    ["Platform:Billing:FreeAgentRunsPerMonth"] = FreeRuns.ToString(System.Globalization.CultureInfo.InvariantCulture),
                },
            },
            services => services.AddSingleton<TimeProvider>(_time));
        _webhook = new Uri(_platform.BaseAddress, "webhooks/payments");
    }

    [Fact]
    public async Task Checkout_UnlocksAgentRunsAtOnce_WhenGatewayConfirmsWithSignedWebhook()
    {
        var (client, user) = await SignInAsync();
        for (var i = 0; i < FreeRuns; i++) Assert.Equal(HttpStatusCode.Created, (await StartRunAsync(client)).StatusCode);

        var limited = await StartRunAsync(client);
        Assert.Equal(HttpStatusCode.PaymentRequired, limited.StatusCode);
        var problem = (await limited.Content.ReadFromJsonAsync<JsonObject>(Ct))!;
        Assert.Equal(("agent_runs", "free", FreeRuns), (problem["limit"]!.GetValue<string>(), problem["plan"]!.GetValue<string>(), problem["allowance"]!.GetValue<int>()));
        Assert.Contains("POST /api/billing/checkout", problem["detail"]!.GetValue<string>(), StringComparison.Ordinal);

        var session = await CheckoutAsync(client);
        Assert.Equal((user.TenantId.ToString(), "pro", 49.00m, "usd"), (session.Reference, session.Plan, session.Amount, session.Currency));
        Assert.Equal(HttpStatusCode.PaymentRequired, (await StartRunAsync(client)).StatusCode);

        var payment = FakePaymentGateway.Event(PaymentWebhookProcessor.CheckoutCompleted, session);
        var receipt = await _gateway.DeliverAsync(_webhook, payment.Body, _gateway.Sign(payment.Body), Ct);

        Assert.Equal(HttpStatusCode.OK, receipt.StatusCode);
        Assert.Equal("processed", (await receipt.Content.ReadFromJsonAsync<WebhookReceipt>(Ct))!.Outcome);
        Assert.Equal(HttpStatusCode.Created, (await StartRunAsync(client)).StatusCode);
        Assert.Equal(("pro", "active", 49.00m, "usd"), await StoredSubscriptionAsync(user.TenantId));
        Assert.Equal([payment.Id], await StoredEventIdsAsync(user.TenantId));
        Assert.Equal("paid", await ScalarAsync<string>("SELECT status FROM checkout_sessions WHERE id = $1", session.Id));
    }

    [Fact]
    public async Task FailedPayment_LeavesTenantOnFree_WhenGatewayReportsDecline()
    {
        var (client, user) = await SignInAsync();
        await UseUpFreeRunsAsync(client);
        var session = await CheckoutAsync(client);
        var declined = FakePaymentGateway.Event(PaymentWebhookProcessor.PaymentFailed, session);

        var receipt = await _gateway.DeliverAsync(_webhook, declined.Body, _gateway.Sign(declined.Body), Ct);

        Assert.Equal(HttpStatusCode.OK, receipt.StatusCode);
        Assert.Equal(HttpStatusCode.PaymentRequired, (await StartRunAsync(client)).StatusCode);
        Assert.Equal("free", (await client.GetFromJsonAsync<BillingEndpoints.SubscriptionResponse>("api/billing/subscription", Ct))!.Plan);
        Assert.Null(await StoredSubscriptionAsync(user.TenantId));
        Assert.Equal("failed", await ScalarAsync<string>("SELECT status FROM checkout_sessions WHERE id = $1", session.Id));
    }

    [Theory]
    [InlineData("unsigned")]
    [InlineData("wrong secret")]
    [InlineData("body changed after signing")]
    [InlineData("malformed header")]
    public async Task Webhook_IsRefusedAndTenantStaysFree_WhenSignatureIsMissingOrWrong(string attack)
    {
        var (client, user) = await SignInAsync();
        await UseUpFreeRunsAsync(client);
        var payment = FakePaymentGateway.Event(PaymentWebhookProcessor.CheckoutCompleted, await CheckoutAsync(client));
        var (body, signature) = attack switch
        {
            "unsigned" => (payment.Body, null),
            "wrong secret" => (payment.Body, _gateway.Sign(payment.Body, secret: "whsec_attacker_guess_0000000000")),
            // Same JSON meaning, different bytes: the signature must cover the raw body.
            "body changed after signing" => (payment.Body + " ", _gateway.Sign(payment.Body)),
            _ => (payment.Body, "v1=deadbeef"),
        };

        var refused = await _gateway.DeliverAsync(_webhook, body, signature, Ct);

        Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
        Assert.Equal(HttpStatusCode.PaymentRequired, (await StartRunAsync(client)).StatusCode);
        Assert.Null(await StoredSubscriptionAsync(user.TenantId));
        Assert.Empty(await StoredEventIdsAsync(user.TenantId));
        // The genuine delivery of the same event still goes through: the refusal consumed nothing.
        Assert.Equal(HttpStatusCode.OK, (await _gateway.DeliverAsync(_webhook, payment.Body, _gateway.Sign(payment.Body), Ct)).StatusCode);
        Assert.Equal(HttpStatusCode.Created, (await StartRunAsync(client)).StatusCode);
    }

    [Fact]
    public async Task ReplayedWebhook_IsProcessedOnce_WhenSameEventIsRedeliveredConcurrently()
    {
        var (client, user) = await SignInAsync();
        var payment = FakePaymentGateway.Event(PaymentWebhookProcessor.CheckoutCompleted, await CheckoutAsync(client));
        var signature = _gateway.Sign(payment.Body);

        var deliveries = await Task.WhenAll(Enumerable.Range(0, 6).Select(_ => _gateway.DeliverAsync(_webhook, payment.Body, signature, Ct)));
        var late = await _gateway.DeliverAsync(_webhook, payment.Body, signature, Ct);

        Assert.All(deliveries.Append(late), response => Assert.Equal(HttpStatusCode.OK, response.StatusCode));
        var outcomes = new List<string>();
        foreach (var response in deliveries.Append(late)) outcomes.Add((await response.Content.ReadFromJsonAsync<WebhookReceipt>(Ct))!.Outcome);
        Assert.Equal(["duplicate", "duplicate", "duplicate", "duplicate", "duplicate", "duplicate", "processed"], outcomes.Order());
        Assert.Equal("duplicate", outcomes[^1]);
        Assert.Equal([payment.Id], await StoredEventIdsAsync(user.TenantId));
        Assert.Equal(("pro", "active", 49.00m, "usd"), await StoredSubscriptionAsync(user.TenantId));
    }

    [Fact]
    public async Task Webhook_IsRefusedAndTenantStaysFree_WhenTimestampIsOutsideTolerance()
    {
        var (client, user) = await SignInAsync();
        var payment = FakePaymentGateway.Event(PaymentWebhookProcessor.CheckoutCompleted, await CheckoutAsync(client));
        var now = _time.GetUtcNow();

        var stale = await _gateway.DeliverAsync(_webhook, payment.Body, _gateway.Sign(payment.Body, now.AddMinutes(-6)), Ct);
        var future = await _gateway.DeliverAsync(_webhook, payment.Body, _gateway.Sign(payment.Body, now.AddMinutes(6)), Ct);

        Assert.Equal((HttpStatusCode.Unauthorized, HttpStatusCode.Unauthorized), (stale.StatusCode, future.StatusCode));
        Assert.Contains("outside the 300 s tolerance", (await stale.Content.ReadFromJsonAsync<JsonObject>(Ct))!["detail"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Equal("free", (await client.GetFromJsonAsync<BillingEndpoints.SubscriptionResponse>("api/billing/subscription", Ct))!.Plan);
        Assert.Empty(await StoredEventIdsAsync(user.TenantId));
        var withinTolerance = await _gateway.DeliverAsync(_webhook, payment.Body, _gateway.Sign(payment.Body, now.AddMinutes(-4)), Ct);
        Assert.Equal(HttpStatusCode.OK, withinTolerance.StatusCode);
        Assert.Equal("pro", (await client.GetFromJsonAsync<BillingEndpoints.SubscriptionResponse>("api/billing/subscription", Ct))!.Plan);
    }

    [Fact]
    public async Task Webhook_IsRejectedAndTenantStaysFree_WhenPaidAmountDiffersFromCheckout()
    {
        var (client, user) = await SignInAsync();
        var underpaid = FakePaymentGateway.Event(PaymentWebhookProcessor.CheckoutCompleted, await CheckoutAsync(client), amount: 0.49m);

        var response = await _gateway.DeliverAsync(_webhook, underpaid.Body, _gateway.Sign(underpaid.Body), Ct);

        Assert.Equal(HttpStatusCode.UnprocessableEntity, response.StatusCode);
        Assert.Null(await StoredSubscriptionAsync(user.TenantId));
        Assert.Empty(await StoredEventIdsAsync(user.TenantId));
    }

    private async Task UseUpFreeRunsAsync(HttpClient client)
    {
        for (var i = 0; i < FreeRuns; i++) Assert.Equal(HttpStatusCode.Created, (await StartRunAsync(client)).StatusCode);
        Assert.Equal(HttpStatusCode.PaymentRequired, (await StartRunAsync(client)).StatusCode);
    }

    private static Task<HttpResponseMessage> StartRunAsync(HttpClient client) =>
        client.PostAsJsonAsync("api/agents/runs", new { goal = "Summarise this week's LLM spend" }, Ct);

    private async Task<GatewayCheckout> CheckoutAsync(HttpClient client)
    {
        var response = await client.PostAsJsonAsync("api/billing/checkout", new { plan = "pro" }, Ct);
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var checkout = (await response.Content.ReadFromJsonAsync<BillingEndpoints.CheckoutResponse>(Ct))!;
        Assert.Equal(49.00m, checkout.Amount);
        return _gateway.Session(checkout.SessionId);
    }

    private async Task<(string Plan, string Status, decimal Amount, string Currency)?> StoredSubscriptionAsync(Guid tenantId)
    {
        await using var connection = await OpenAsync();
        await using var command = new NpgsqlCommand("SELECT plan, status, amount, currency FROM subscriptions WHERE tenant_id = $1", connection);
        command.Parameters.Add(new NpgsqlParameter { Value = tenantId });
        await using var reader = await command.ExecuteReaderAsync(Ct);
        return await reader.ReadAsync(Ct) ? (reader.GetString(0), reader.GetString(1), reader.GetDecimal(2), reader.GetString(3)) : null;
    }

    private async Task<List<string>> StoredEventIdsAsync(Guid tenantId)
    {
        await using var connection = await OpenAsync();
        await using var command = new NpgsqlCommand("SELECT event_id FROM payment_events WHERE tenant_id = $1", connection);
        command.Parameters.Add(new NpgsqlParameter { Value = tenantId });
        await using var reader = await command.ExecuteReaderAsync(Ct);
        var ids = new List<string>();
        while (await reader.ReadAsync(Ct)) ids.Add(reader.GetString(0));
        return ids;
    }

    private async Task<T> ScalarAsync<T>(string sql, object parameter)
    {
        await using var connection = await OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        command.Parameters.Add(new NpgsqlParameter { Value = parameter });
        return (T)(await command.ExecuteScalarAsync(Ct))!;
    }

    private async Task<NpgsqlConnection> OpenAsync()
    {
        var connection = new NpgsqlConnection(_database);
        await connection.OpenAsync(Ct);
        return connection;
    }

    /// <summary>A user in a tenant of their own (a fresh email domain) with a platform token.</summary>
    private async Task<(HttpClient Client, PlatformUser User)> SignInAsync()
    {
        var subject = Guid.NewGuid().ToString("N");
        var user = await _platform.Services.GetRequiredService<UserDirectory>()
            .UpsertFromProviderAsync("oauth", new ExternalIdentity(subject, $"sam@{subject}.example", "Sam"), Ct);
        var token = _platform.Services.GetRequiredService<AccessTokenIssuer>().Issue(user, Guid.NewGuid().ToString("N")).AccessToken;
        var client = new HttpClient { BaseAddress = _platform.BaseAddress };
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        _clients.Add(client);
        return (client, user);
    }

    public async ValueTask DisposeAsync()
    {
        _clients.ForEach(client => client.Dispose());
        await _platform.DisposeAsync();
        await _gateway.DisposeAsync();
        await _llm.DisposeAsync();
    }
}
