using System.Net;
using System.Net.Http.Json;
using Apex.Integration.Fakes;
using Apex.Integration.Infrastructure;
using Apex.Platform.Billing;
using Microsoft.Extensions.DependencyInjection;

namespace Apex.Integration.BusinessCriticalFlows;

/// <summary>
/// Revenue recognized day by day from the billing ledger that payments, plan changes and refunds
/// write on the real platform: ratable over each service period, exact to the cent against the
/// invoices, each day once however often the job runs, each run audited.
/// </summary>
[PlanItem(100)]
[BusinessValue(
    segment: "Finance and auditors of every paying tenant's revenue",
    businessGoal: "Financial accuracy: revenue recognized as service is delivered (ASC 606)",
    valueImpact: "$10K MRR compliance",
    strategicImpact: "Books that reconcile to the cent with invoices and an audit trail per run keep audits short and revenue reportable")]
public sealed class RevenueRecognitionTests(PostgresServer postgres, RedisServer redis) : IAsyncLifetime
{
    private static readonly DateOnly April1 = new(2031, 4, 1);
    private BillingHarness _billing = null!;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync() => _billing = await BillingHarness.StartAsync(postgres, redis, "revenue100");

    [Fact]
    public async Task Recognition_SpreadsSubscriptionRatablyToTheCent_WhenRunThroughThePeriod()
    {
        var customer = await _billing.SignInAsync();
        await _billing.SubscribeAsync(customer);
        _billing.Time.Advance(TimeSpan.FromDays(10));

        await RecognizeThroughYesterdayAsync();
        var early = await ReportAsync(customer, April1, April1.AddDays(9));
        Assert.Equal((49.00m, 16.33m, 32.67m), (early.Billed, early.RecognizedToDate, early.Deferred));
        _billing.Time.Advance(TimeSpan.FromDays(20));
        await RecognizeThroughYesterdayAsync();

        var april = await ReportAsync(customer, April1, April1.AddDays(29));
        Assert.Equal((49.00m, 49.00m, 0m), (april.RecognizedInRange, april.RecognizedToDate, april.Deferred));
        var days = await DailyAsync(customer);
        Assert.Equal(30, days.Count);
        Assert.All(days, day => Assert.InRange(day, 1.63m, 1.64m));
    }

    [Fact]
    public async Task Recognition_AddsProrationFromUpgradeDay_WhenTenantUpgradesMidPeriod()
    {
        var customer = await _billing.SignInAsync();
        await _billing.SubscribeAsync(customer);
        _billing.Time.Advance(TimeSpan.FromDays(11));
        Assert.Equal(HttpStatusCode.OK, (await customer.Client.PostAsJsonAsync("api/billing/subscription/plan", new { plan = PlanCatalog.Team }, Ct)).StatusCode);
        _billing.Time.Advance(TimeSpan.FromDays(8));

        await RecognizeThroughYesterdayAsync();
        // Pro: 49 x 19/30 = 31.03; the 51.29 proration from Apr 12: 8 of 19 days = 21.60.
        Assert.Equal(52.63m, (await ReportAsync(customer, April1, April1.AddDays(18))).RecognizedToDate);
        _billing.Time.Advance(TimeSpan.FromDays(11));
        await RecognizeThroughYesterdayAsync();

        var april = await ReportAsync(customer, April1, April1.AddDays(29));
        Assert.Equal((100.29m, 100.29m, 0m), (april.Billed, april.RecognizedToDate, april.Deferred));
        Assert.All(april.Lines, line => Assert.Equal(line.Amount, line.RecognizedToDate));
        Assert.Equal(new DateTimeOffset(2031, 4, 12, 0, 0, 0, TimeSpan.Zero), Assert.Single(april.Lines, l => l.Kind == "proration").ServiceStart);
    }

    [Fact]
    public async Task Recognition_ReversesRefundOverRemainingDays_WhenPaymentIsPartlyRefunded()
    {
        var customer = await _billing.SignInAsync();
        var session = await _billing.SubscribeAsync(customer);
        _billing.Time.Advance(TimeSpan.FromDays(15));
        Assert.Equal(HttpStatusCode.OK, (await _billing.DeliverAsync(FakePaymentGateway.Event(PaymentWebhookProcessor.ChargeRefunded, session, amount: 20.00m))).StatusCode);
        _billing.Time.Advance(TimeSpan.FromDays(5));

        await RecognizeThroughYesterdayAsync();
        // 49 x 20/30 = 32.67, less 20 x 5/15 = 6.67 of the refund.
        Assert.Equal(26.00m, (await ReportAsync(customer, April1, April1.AddDays(19))).RecognizedToDate);
        _billing.Time.Advance(TimeSpan.FromDays(10));
        await RecognizeThroughYesterdayAsync();

        var april = await ReportAsync(customer, April1, April1.AddDays(29));
        Assert.Equal((29.00m, 29.00m, 0m), (april.Billed, april.RecognizedToDate, april.Deferred));
    }

    [Fact]
    public async Task Books_ReconcileWithInvoicesAndAuditEveryRun_WhenJobRunsDailyAndTwice()
    {
        var customers = new List<Customer>();
        for (var i = 0; i < 3; i++) customers.Add(await _billing.SignInAsync());
        await _billing.SubscribeAsync(customers[0]);
        await _billing.SubscribeAsync(customers[1], PlanCatalog.Team);
        _billing.Time.Advance(TimeSpan.FromHours(7));
        await _billing.SubscribeAsync(customers[2]);
        var runs = new List<RecognitionRun>();
        for (var day = 0; day < 35; day++)
        {
            _billing.Time.Advance(TimeSpan.FromDays(1));
            runs.Add(await RecognizeThroughYesterdayAsync());
            runs.Add(await RecognizeThroughYesterdayAsync());
        }

        Assert.All(runs.Where((_, i) => i % 2 == 1), rerun => Assert.Equal((0, 0m), (rerun.Entries, rerun.Amount)));
        Assert.Equal(runs.Count, await _billing.ScalarAsync<long>("SELECT count(*) FROM revenue_audit"));
        Assert.Equal(await _billing.ScalarAsync<decimal>("SELECT sum(amount) FROM revenue_entries"), runs.Sum(r => r.Amount));
        Assert.Equal(2 * 49.00m + 129.99m, await _billing.ScalarAsync<decimal>("SELECT sum(amount) FROM revenue_entries"));
        Assert.Equal(0L, await _billing.ScalarAsync<long>("""
            SELECT count(*) FROM billing_invoices i WHERE i.amount <> (SELECT coalesce(sum(e.amount), 0) FROM revenue_entries e WHERE e.invoice_id = i.id)
            """));
        // Bought at 07:00, the third subscription runs to May 1 07:00: 31 calendar days.
        Assert.Equal(31, (await DailyAsync(customers[2])).Count);
    }

    [Fact]
    public async Task Recognition_IsRefusedAndAuditsNothing_WhenDayHasNotEnded()
    {
        var customer = await _billing.SignInAsync();
        await _billing.SubscribeAsync(customer);
        var recognition = _billing.Services.GetRequiredService<RevenueRecognition>();

        var refused = await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => recognition.RecognizeThroughAsync(April1, Ct));

        Assert.Contains("Only days that have ended", refused.Message, StringComparison.Ordinal);
        Assert.Equal(0L, await _billing.ScalarAsync<long>("SELECT count(*) FROM revenue_audit"));
        Assert.Equal(0L, await _billing.ScalarAsync<long>("SELECT count(*) FROM revenue_entries"));
        Assert.Equal(HttpStatusCode.BadRequest, (await customer.Client.GetAsync("api/billing/revenue?from=2031-04-10&to=2031-04-01", Ct)).StatusCode);
    }

    private Task<RecognitionRun> RecognizeThroughYesterdayAsync() =>
        _billing.Services.GetRequiredService<RevenueRecognition>()
            .RecognizeThroughAsync(DateOnly.FromDateTime(_billing.Time.GetUtcNow().UtcDateTime).AddDays(-1), Ct);

    private static async Task<RevenueStatement> ReportAsync(Customer customer, DateOnly from, DateOnly to) =>
        (await customer.Client.GetFromJsonAsync<RevenueStatement>($"api/billing/revenue?from={from:yyyy-MM-dd}&to={to:yyyy-MM-dd}", Ct))!;

    private async Task<List<decimal>> DailyAsync(Customer customer)
    {
        var days = await _billing.ScalarAsync<decimal[]>("SELECT array_agg(amount ORDER BY day) FROM revenue_entries WHERE tenant_id = $1", customer.User.TenantId);
        return [.. days ?? []];
    }

    public async ValueTask DisposeAsync() => await _billing.DisposeAsync();
}
