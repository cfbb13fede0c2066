using System.Net;
using System.Net.Http.Json;
using Apex.Integration.Fakes;
using Apex.Integration.Infrastructure;
using Apex.Platform.Billing;
using Microsoft.Extensions.DependencyInjection;

namespace Apex.Integration.BusinessCriticalFlows;

/// <summary>
/// The gateway's webhooks end to end: receipt over HTTP, signature and body validation (item 96
/// covers the signature attacks), processing into subscription and ledger, and the customer's
/// notice through the outbox to a fake email provider. Redeliveries, events out of order and an
/// email outage each change the books once and send each notice once.
/// </summary>
[PlanItem(98)]
[BusinessValue(
    segment: "All paying tenants",
    businessGoal: "Transaction handling: every gateway event applied once, in the right order, and announced",
    valueImpact: "$20K MRR payment reliability",
    strategicImpact: "Gateways redeliver and reorder by design; payments are neither lost, doubled nor silently reversed")]
public sealed class PaymentWebhookProcessingTests(PostgresServer postgres, RedisServer redis) : IAsyncLifetime
{
    private BillingHarness _billing = null!;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync() => _billing = await BillingHarness.StartAsync(postgres, redis, "webhooks98");

    [Fact]
    public async Task Webhook_AppliesAndNotifiesOnce_WhenGatewayRedeliversTheSameEvent()
    {
        var customer = await _billing.SignInAsync();
        var payment = FakePaymentGateway.Event(PaymentWebhookProcessor.CheckoutCompleted, await _billing.CheckoutAsync(customer));

        var outcomes = new List<string>();
        for (var i = 0; i < 3; i++) outcomes.Add(await OutcomeAsync(await _billing.DeliverAsync(payment)));

        Assert.Equal(["processed", "duplicate", "duplicate"], outcomes);
        var notice = Assert.Single(_billing.Email.To(customer.User.Email));
        Assert.Equal(("payment.succeeded", "pro", BillingHarness.ProPrice), (notice.Template, notice.Data["plan"]!.GetValue<string>(), notice.Data["amount"]!.GetValue<decimal>()));
        Assert.Equal(1L, await _billing.ScalarAsync<long>("SELECT count(*) FROM billing_invoices WHERE tenant_id = $1", customer.User.TenantId));
        Assert.Equal("active", (await SubscriptionAsync(customer)).Status);
    }

    [Fact]
    public async Task Webhook_KeepsPaymentAndIgnoresOlderDecline_WhenEventsArriveOutOfOrder()
    {
        var customer = await _billing.SignInAsync();
        var session = await _billing.CheckoutAsync(customer);
        var now = _billing.Time.GetUtcNow();
        var declined = FakePaymentGateway.Event(PaymentWebhookProcessor.PaymentFailed, session, created: now.AddSeconds(-30));
        var paid = FakePaymentGateway.Event(PaymentWebhookProcessor.CheckoutCompleted, session, created: now.AddSeconds(-10));

        Assert.Equal("processed", await OutcomeAsync(await _billing.DeliverAsync(paid)));
        Assert.Equal("stale", await OutcomeAsync(await _billing.DeliverAsync(declined)));

        Assert.Equal(("pro", "active"), ((await SubscriptionAsync(customer)).Plan, (await SubscriptionAsync(customer)).Status));
        Assert.Equal("paid", await _billing.ScalarAsync<string>("SELECT status FROM checkout_sessions WHERE id = $1", session.Id));
        Assert.Equal(["payment.succeeded"], _billing.Email.To(customer.User.Email).Select(m => m.Template));
        // The stale event is on record all the same, for the audit trail.
        Assert.Equal(2L, await _billing.ScalarAsync<long>("SELECT count(*) FROM payment_events WHERE checkout_session_id = $1", session.Id));
    }

    [Fact]
    public async Task Webhook_ActivatesAfterEarlierDecline_WhenRetriedPaymentSucceedsLater()
    {
        var customer = await _billing.SignInAsync();
        var session = await _billing.CheckoutAsync(customer);
        var now = _billing.Time.GetUtcNow();

        Assert.Equal("processed", await OutcomeAsync(await _billing.DeliverAsync(FakePaymentGateway.Event(PaymentWebhookProcessor.PaymentFailed, session, created: now.AddSeconds(-30)))));
        Assert.Equal("free", (await SubscriptionAsync(customer)).Plan);
        Assert.Equal("processed", await OutcomeAsync(await _billing.DeliverAsync(FakePaymentGateway.Event(PaymentWebhookProcessor.CheckoutCompleted, session, created: now))));

        Assert.Equal("pro", (await SubscriptionAsync(customer)).Plan);
        Assert.Equal(["payment.failed", "payment.succeeded"], _billing.Email.To(customer.User.Email).Select(m => m.Template));
        Assert.Equal("card_declined", _billing.Email.To(customer.User.Email)[0].Data["reason"]!.GetValue<string>());
    }

    [Fact]
    public async Task Notice_IsKeptAndSentOnceLater_WhenEmailProviderIsDownDuringProcessing()
    {
        var customer = await _billing.SignInAsync();
        _billing.Email.Down = true;

        var session = await _billing.SubscribeAsync(customer);

        Assert.Equal("pro", (await SubscriptionAsync(customer)).Plan);
        Assert.Empty(_billing.Email.To(customer.User.Email));
        Assert.Equal("pending", await _billing.ScalarAsync<string>("SELECT status FROM billing_notifications WHERE dedup_key LIKE 'event:%' AND tenant_id = $1", customer.User.TenantId));
        _billing.Email.Down = false;
        var notices = _billing.Services.GetRequiredService<BillingNotifications>();
        await Task.WhenAll(notices.DispatchPendingAsync(Ct), notices.DispatchPendingAsync(Ct));
        await notices.DispatchPendingAsync(Ct);

        Assert.Equal(["payment.succeeded"], _billing.Email.To(customer.User.Email).Select(m => m.Template));
        Assert.Equal(2, await _billing.ScalarAsync<int>("SELECT attempts FROM billing_notifications WHERE tenant_id = $1", customer.User.TenantId));
        Assert.Equal("paid", await _billing.ScalarAsync<string>("SELECT status FROM checkout_sessions WHERE id = $1", session.Id));
    }

    [Fact]
    public async Task Refund_WritesCreditAndNotifies_WhenGatewayReportsRefundOfAPayment()
    {
        var customer = await _billing.SignInAsync();
        var session = await _billing.SubscribeAsync(customer);
        _billing.Time.Advance(TimeSpan.FromDays(10));

        var refund = FakePaymentGateway.Event(PaymentWebhookProcessor.ChargeRefunded, session, amount: 20.00m);
        Assert.Equal("processed", await OutcomeAsync(await _billing.DeliverAsync(refund)));
        Assert.Equal("duplicate", await OutcomeAsync(await _billing.DeliverAsync(refund)));
        var tooMuch = await _billing.DeliverAsync(FakePaymentGateway.Event(PaymentWebhookProcessor.ChargeRefunded, session, amount: 29.01m));

        Assert.Equal(HttpStatusCode.UnprocessableEntity, tooMuch.StatusCode);
        Assert.Equal(BillingHarness.ProPrice - 20.00m, await _billing.ScalarAsync<decimal>("SELECT sum(amount) FROM billing_invoices WHERE tenant_id = $1", customer.User.TenantId));
        Assert.Equal(["payment.succeeded", "payment.refunded"], _billing.Email.To(customer.User.Email).Select(m => m.Template));
    }

    [Theory]
    [InlineData("malformed body", HttpStatusCode.BadRequest)]
    [InlineData("unknown session", HttpStatusCode.NotFound)]
    [InlineData("refund before payment", HttpStatusCode.Conflict)]
    public async Task Webhook_ChangesNothingAndSendsNothing_WhenEventCannotBeApplied(string fault, HttpStatusCode expected)
    {
        var customer = await _billing.SignInAsync();
        var session = await _billing.CheckoutAsync(customer);
        var body = fault switch
        {
            "malformed body" => """{"id":"evt_1","type":"checkout.session.completed","data":{}}""",
            "unknown session" => FakePaymentGateway.Event(PaymentWebhookProcessor.CheckoutCompleted, session with { Id = "cs_missing" }).Body,
            _ => FakePaymentGateway.Event(PaymentWebhookProcessor.ChargeRefunded, session, amount: 5m).Body,
        };

        var response = await _billing.DeliverAsync(new GatewayEvent("evt", body));

        Assert.Equal(expected, response.StatusCode);
        Assert.Equal("free", (await SubscriptionAsync(customer)).Plan);
        Assert.Equal(0L, await _billing.ScalarAsync<long>("SELECT count(*) FROM payment_events WHERE tenant_id = $1", customer.User.TenantId));
        Assert.Equal(0L, await _billing.ScalarAsync<long>("SELECT count(*) FROM billing_notifications WHERE tenant_id = $1", customer.User.TenantId));
        Assert.Empty(_billing.Email.To(customer.User.Email));
    }

    private async Task<BillingEndpoints.SubscriptionResponse> SubscriptionAsync(Customer customer) =>
        (await customer.Client.GetFromJsonAsync<BillingEndpoints.SubscriptionResponse>("api/billing/subscription", Ct))!;

    private static async Task<string> OutcomeAsync(HttpResponseMessage response)
    {
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return (await response.Content.ReadFromJsonAsync<WebhookReceipt>(Ct))!.Outcome;
    }

    public async ValueTask DisposeAsync() => await _billing.DisposeAsync();
}
