using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using Apex.Integration.Fakes;
using Apex.Integration.Infrastructure;
using Apex.Platform.Billing;
using Apex.Platform.Metering;
using Microsoft.Extensions.DependencyInjection;

namespace Apex.Integration.BusinessCriticalFlows;

/// <summary>
/// Item 97's billing integration end to end: usage collected over HTTP into real ClickHouse, the
/// closed month invoiced by metering in PostgreSQL, each invoice charged at the fake gateway over
/// HTTP (a decline, an outage and a lost answer included), booked as a billing invoice with line
/// items, and recognized as revenue by item 100's engine; every tenant reconciles to the cent from
/// its raw events to its recognized revenue.
/// </summary>
[PlanItem(97)]
[PlanItem(100)]
[BusinessValue(
    segment: "Usage-billed tenants (LLM tokens and agent runs past their allowance)",
    businessGoal: "Billing accuracy: every metered unit billed, collected and recognized exactly once",
    valueImpact: "$25K MRR revenue integrity",
    strategicImpact: "Usage that is measured but never charged is leaked revenue; charged twice, it is refunds and churn")]
public sealed class UsageBillingTests(PostgresServer postgres, RedisServer redis, ClickHouseServer clickHouse) : IAsyncLifetime
{
    private static readonly DateTimeOffset March = new(2031, 3, 1, 0, 0, 0, TimeSpan.Zero);
    private BillingHarness _billing = null!;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync() =>
        _billing = await BillingHarness.StartAsync(postgres, redis, "usagebilling97", new BillingSetup(clickHouse, Start: new DateTimeOffset(2031, 4, 2, 0, 0, 0, TimeSpan.Zero)));

    [Fact]
    public async Task UsageBilling_ChargesBooksAndRecognizesEachTenantToTheCent_WhenGatewayDeclinesFailsAndLosesAnswers()
    {
        // Ann signs in through the real OAuth login; the others with platform tokens.
        var ann = await _billing.SignInThroughLoginAsync("ann@usage-login.example");
        var (ben, cy, dee) = (await _billing.SignInAsync(), await _billing.SignInAsync(), await _billing.SignInAsync());
        await CollectAsync(ann, [.. Tokens("a", 60_000, 45_500, 20_000), .. Runs("a", 7)]);
        await CollectAsync(ann, Tokens("a", 60_000)); // a redelivery of a-0: counted once
        await CollectAsync(ben, [.. Runs("b", 3), .. Tokens("b", 100_000)]);
        await CollectAsync(cy, Tokens("c", 333_333));
        await CollectAsync(dee, Tokens("d", 50_000));
        // 125,500 tokens: 25.5 x 1.25 = 31.875 -> 31.88, plus 7 runs x 0.35 = 2.45; 233.333 x 1.25 = 291.66625 -> 291.67.
        var expected = new Dictionary<Customer, decimal> { [ann] = 34.33m, [ben] = 1.05m, [cy] = 291.67m, [dee] = 0m };
        Assert.Equal(34.33m, (await ann.Client.GetFromJsonAsync<UsageStatement>("api/usage/statements/2031-03", Ct))!.Total);
        FailFirstCharges(unavailable: ann, declined: ben, answerLost: cy);

        await RunUsageBillingAsync();
        Assert.Equal([("pending", 0), ("declined", 1), ("pending", 0), ("nothing_due", 0)], await ChargeStatesAsync(ann, ben, cy, dee));
        Assert.Equal(0L, await _billing.ScalarAsync<long>("SELECT count(*) FROM billing_invoices"));
        await RunUsageBillingAsync();
        await RunUsageBillingAsync();

        Assert.Equal([("paid", 0), ("paid", 1), ("paid", 0), ("nothing_due", 0)], await ChargeStatesAsync(ann, ben, cy, dee));
        // The lost answer was asked again under its key and answered with the first charge: Cy paid once.
        Assert.Equal([["succeeded"], ["declined", "succeeded"], ["succeeded"], []], new[] { ann, ben, cy, dee }.Select(ChargesOf));
        Assert.Equal(["payment.failed", "usage.charged"], _billing.Email.To(ben.User.Email).Select(m => m.Template));
        await _billing.Services.GetRequiredService<RevenueRecognition>().RecognizeThroughAsync(new DateOnly(2031, 4, 1), Ct);
        foreach (var (customer, amount) in expected) Assert.Equal(Books(amount), await BooksAsync(customer));
        Assert.Equal(327.05m, await _billing.ScalarAsync<decimal>("SELECT sum(amount) FROM revenue_entries"));
    }

    private void FailFirstCharges(Customer unavailable, Customer declined, Customer answerLost)
    {
        _billing.Gateway.FailNextCharge(Reference(unavailable), ChargeFault.Unavailable);
        _billing.Gateway.FailNextCharge(Reference(declined), ChargeFault.Decline);
        _billing.Gateway.FailNextCharge(Reference(answerLost), ChargeFault.LoseAnswer);
    }

    [Fact]
    public async Task UsageBilling_BooksLineItemsThatAddUpAndRecognizesOverTheMonth_WhenInvoiceIsPaid()
    {
        var customer = await _billing.SignInAsync();
        await CollectAsync(customer, [.. Tokens("t", 150_000), .. Runs("r", 2)]);

        await RunUsageBillingAsync();
        await _billing.Services.GetRequiredService<RevenueRecognition>().RecognizeThroughAsync(new DateOnly(2031, 3, 15), Ct);

        // 50 x 1.25 = 62.50 for tokens, 0.70 for runs.
        var lines = await _billing.ScalarAsync<string>("""
            SELECT string_agg(l.quantity || ' @ ' || l.unit_price::float8 || '/' || l.unit_size || ' = ' || l.amount, '; ' ORDER BY l.line)
            FROM billing_invoice_lines l JOIN billing_invoices i ON i.id = l.invoice_id WHERE i.tenant_id = $1
            """, customer.User.TenantId);
        Assert.Equal("2 @ 0.35/1 = 0.70; 50000 @ 1.25/1000 = 62.50", lines);
        Assert.Equal(("usage", 63.20m, March.UtcDateTime, March.AddMonths(1).UtcDateTime), await InvoiceAsync(customer));
        // Half of March's 31 days: 63.20 x 15/31 = 30.58.
        Assert.Equal(30.58m, await _billing.ScalarAsync<decimal>("SELECT sum(amount) FROM revenue_entries WHERE tenant_id = $1", customer.User.TenantId));
        var charge = Assert.Single(_billing.Gateway.Charges);
        Assert.Equal((63.20m, "usd", $"usage:{customer.User.TenantId:N}:2031-03:0"), (charge.Amount, charge.Currency, charge.Key));
    }

    private Task RunUsageBillingAsync() => _billing.RunJobAsync<UsageBillingJob>(TimeSpan.FromDays(1));

    private static string Reference(Customer customer) => customer.User.TenantId.ToString();

    private string[] ChargesOf(Customer customer) => [.. _billing.Gateway.Charges.Where(c => c.Reference == Reference(customer)).Select(c => c.Status)];

    private static string F(decimal amount) => amount.ToString("0.00", CultureInfo.InvariantCulture);

    private static UsageEvent[] Tokens(string prefix, params long[] quantities) =>
        [.. quantities.Select((quantity, i) => new UsageEvent($"{prefix}-t{i}", "llm_tokens", quantity, March.AddDays(3).AddMinutes(i)))];

    private static UsageEvent[] Runs(string prefix, int count) =>
        [.. Enumerable.Range(0, count).Select(i => new UsageEvent($"{prefix}-r{i}", "agent_runs", 1, March.AddDays(10).AddMinutes(i)))];

    private static async Task CollectAsync(Customer customer, UsageEvent[] events) =>
        Assert.Equal(HttpStatusCode.Accepted, (await customer.Client.PostAsJsonAsync("api/usage/events", new { events }, Ct)).StatusCode);

    private async Task<List<(string Status, int Attempts)>> ChargeStatesAsync(params Customer[] customers)
    {
        var states = new List<(string, int)>();
        foreach (var customer in customers)
        {
            states.Add((await _billing.ScalarAsync<string>("SELECT status FROM usage_charges WHERE tenant_id = $1", customer.User.TenantId) ?? "none",
                await _billing.ScalarAsync<int>("SELECT attempts FROM usage_charges WHERE tenant_id = $1", customer.User.TenantId)));
        }

        return states;
    }

    /// <summary>Every stage of one tenant's money for March, as text so a mismatch names its stage.</summary>
    private static string Books(decimal amount) =>
        $"events {F(amount)}, usage invoice {F(amount)}, billing invoice {(amount == 0 ? "none" : F(amount))}, lines {F(amount)}, charged {F(amount)}, recognized {F(amount)}";

    private async Task<string> BooksAsync(Customer customer)
    {
        await using var scope = _billing.Services.CreateAsyncScope();
        var statement = await scope.ServiceProvider.GetRequiredService<UsageStatements>().ForPeriodAsync(customer.User.TenantId, "2031-03", Ct);
        var billed = await _billing.ScalarAsync<decimal?>("SELECT amount FROM billing_invoices WHERE tenant_id = $1 AND kind = 'usage'", customer.User.TenantId);
        var charged = _billing.Gateway.Charges.Where(c => c.Reference == Reference(customer) && c.Status == "succeeded").Sum(c => c.Amount);
        var invoiced = await SumAsync("SELECT amount FROM usage_invoices WHERE tenant_id = $1", customer);
        var lines = await SumAsync("SELECT sum(l.amount) FROM billing_invoice_lines l JOIN billing_invoices i ON i.id = l.invoice_id WHERE i.tenant_id = $1", customer);
        var recognized = await SumAsync("SELECT sum(amount) FROM revenue_entries WHERE tenant_id = $1", customer);
        return $"events {F(statement.Total)}, usage invoice {F(invoiced)}, billing invoice {(billed is { } b ? F(b) : "none")}, lines {F(lines)}, charged {F(charged)}, recognized {F(recognized)}";
    }

    private async Task<decimal> SumAsync(string sql, Customer customer) => await _billing.ScalarAsync<decimal>(sql, customer.User.TenantId);

    private async Task<(string Kind, decimal Amount, DateTime Start, DateTime End)> InvoiceAsync(Customer customer) =>
        (await _billing.ScalarAsync<string>("SELECT kind FROM billing_invoices WHERE tenant_id = $1", customer.User.TenantId) ?? "none",
            await _billing.ScalarAsync<decimal>("SELECT amount FROM billing_invoices WHERE tenant_id = $1", customer.User.TenantId),
            await _billing.ScalarAsync<DateTime>("SELECT service_start FROM billing_invoices WHERE tenant_id = $1", customer.User.TenantId),
            await _billing.ScalarAsync<DateTime>("SELECT service_end FROM billing_invoices WHERE tenant_id = $1", customer.User.TenantId));

    public async ValueTask DisposeAsync() => await _billing.DisposeAsync();
}
