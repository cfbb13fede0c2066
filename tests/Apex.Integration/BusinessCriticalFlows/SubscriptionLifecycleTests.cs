using System.Net;
using System.Net.Http.Json;
using Apex.Integration.Infrastructure;
using Apex.Platform.Billing;

namespace Apex.Integration.BusinessCriticalFlows;

/// <summary>
/// A subscription through its state machine on the real platform: created by a paid checkout,
/// upgraded with a prorated charge at the fake gateway, downgraded with a credit that the renewal
/// spends, canceled to end at the period's close, renewed by the renewal job (declines included),
/// and every transition the machine does not allow refused with a reason.
/// </summary>
[PlanItem(99)]
[BusinessValue(
    segment: "Paying tenants changing, renewing or leaving their plan",
    businessGoal: "Retention: plan changes that are fair to the cent and renewals that do not lapse",
    valueImpact: "$15K MRR customer lifecycle",
    strategicImpact: "Customers can move between plans without support tickets; revenue continues at each renewal")]
public sealed class SubscriptionLifecycleTests(PostgresServer postgres, RedisServer redis) : IAsyncLifetime
{
    private BillingHarness _billing = null!;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync() => _billing = await BillingHarness.StartAsync(postgres, redis, "lifecycle99");

    [Fact]
    public async Task Upgrade_ChargesProratedDifference_WhenTenantMovesToTeamMidPeriod()
    {
        var customer = await _billing.SignInAsync();
        await _billing.SubscribeAsync(customer);
        _billing.Time.Advance(TimeSpan.FromDays(11));

        var upgraded = await ChangePlanAsync(customer, PlanCatalog.Team);

        // 19 of 30 days left: 80.99 x 19/30 = 51.2936... -> 51.29.
        Assert.Equal(("team", "active", BillingHarness.TeamPrice, 51.29m), (upgraded.Plan, upgraded.Status, upgraded.Amount, upgraded.Charged));
        var charge = Assert.Single(_billing.Gateway.Charges);
        Assert.Equal((customer.User.TenantId.ToString(), 51.29m), (charge.Reference, charge.Amount));
        Assert.Equal(51.29m, await _billing.ScalarAsync<decimal>("SELECT amount FROM billing_invoices WHERE kind = 'proration' AND payment_ref = $1", charge.Id));
        Assert.Equal(new DateTimeOffset(2031, 5, 1, 0, 0, 0, TimeSpan.Zero), upgraded.CurrentPeriodEnd);
        Assert.Contains("subscription.upgraded", _billing.Email.To(customer.User.Email).Select(m => m.Template));
    }

    [Fact]
    public async Task Downgrade_CreditsUnusedDifferenceToRenewal_WhenTenantMovesToProMidPeriod()
    {
        var customer = await _billing.SignInAsync();
        await _billing.SubscribeAsync(customer, PlanCatalog.Team);
        _billing.Time.Advance(TimeSpan.FromDays(20));

        var downgraded = await ChangePlanAsync(customer, PlanCatalog.Pro);
        Assert.Equal(("pro", 27.00m, 27.00m, 0m), (downgraded.Plan, downgraded.Credited, downgraded.CreditBalance, downgraded.Charged));
        _billing.Time.Advance(TimeSpan.FromDays(10));
        Assert.Equal(1, await RenewAsync());

        var charge = Assert.Single(_billing.Gateway.Charges);
        Assert.Equal(22.00m, charge.Amount);
        var renewed = await SubscriptionAsync(customer);
        Assert.Equal(("pro", "active", new DateTimeOffset(2031, 6, 1, 0, 0, 0, TimeSpan.Zero)), (renewed.Plan, renewed.Status, renewed.CurrentPeriodEnd));
        Assert.Equal(0m, await _billing.ScalarAsync<decimal>("SELECT credit_balance FROM subscriptions WHERE tenant_id = $1", customer.User.TenantId));
        Assert.Equal(BillingHarness.ProPrice, await _billing.ScalarAsync<decimal>("SELECT amount FROM billing_invoices WHERE kind = 'renewal' AND tenant_id = $1", customer.User.TenantId));
    }

    [Fact]
    public async Task Cancel_KeepsPlanToPeriodEndThenEndsWithoutCharge_WhenTenantCancels()
    {
        var customer = await _billing.SignInAsync();
        await _billing.SubscribeAsync(customer);
        _billing.Time.Advance(TimeSpan.FromDays(5));

        var canceling = await customer.Client.PostAsync(new Uri("api/billing/subscription/cancel", UriKind.Relative), null, Ct);
        Assert.Equal(HttpStatusCode.OK, canceling.StatusCode);
        Assert.Equal(("pro", "canceling"), ((await SubscriptionAsync(customer)).Plan, (await SubscriptionAsync(customer)).Status));
        _billing.Time.Advance(TimeSpan.FromDays(25));
        Assert.Equal(1, await RenewAsync());

        Assert.Equal("free", (await SubscriptionAsync(customer)).Plan);
        Assert.Equal("canceled", await _billing.ScalarAsync<string>("SELECT status FROM subscriptions WHERE tenant_id = $1", customer.User.TenantId));
        Assert.Empty(_billing.Gateway.Charges);
        Assert.Contains("subscription.ended", _billing.Email.To(customer.User.Email).Select(m => m.Template));
    }

    [Fact]
    public async Task Renewal_GoesPastDueThenRecoversChargingOnce_WhenCardIsDeclinedThenFixed()
    {
        var customer = await _billing.SignInAsync();
        await _billing.SubscribeAsync(customer);
        _billing.Time.Advance(TimeSpan.FromDays(30));
        _billing.Gateway.DeclineReason = "insufficient_funds";

        Assert.Equal(1, await RenewAsync());
        Assert.Equal(("pro", "past_due"), ((await SubscriptionAsync(customer)).Plan, (await SubscriptionAsync(customer)).Status));
        Assert.Contains("payment.failed", _billing.Email.To(customer.User.Email).Select(m => m.Template));
        _billing.Gateway.DeclineReason = null;
        _billing.Time.Advance(TimeSpan.FromDays(1));
        // Two job runs at once (two instances): one charge, one renewal.
        var runs = await Task.WhenAll(RenewAsync(), RenewAsync());

        Assert.Equal(1, runs.Sum());
        Assert.Equal(["declined", "succeeded"], _billing.Gateway.Charges.Select(c => c.Status));
        var renewed = await SubscriptionAsync(customer);
        Assert.Equal(("active", new DateTimeOffset(2031, 6, 1, 0, 0, 0, TimeSpan.Zero)), (renewed.Status, renewed.CurrentPeriodEnd));
        Assert.Equal(1L, await _billing.ScalarAsync<long>("SELECT count(*) FROM billing_invoices WHERE kind = 'renewal' AND tenant_id = $1", customer.User.TenantId));
    }

    [Fact]
    public async Task Upgrade_LeavesPlanUnchanged_WhenGatewayDeclinesProratedCharge()
    {
        var customer = await _billing.SignInAsync();
        await _billing.SubscribeAsync(customer);
        _billing.Gateway.DeclineReason = "card_declined";

        var response = await customer.Client.PostAsJsonAsync("api/billing/subscription/plan", new { plan = PlanCatalog.Team }, Ct);

        Assert.Equal(HttpStatusCode.PaymentRequired, response.StatusCode);
        Assert.Contains("card_declined", await response.Content.ReadAsStringAsync(Ct), StringComparison.Ordinal);
        Assert.Equal("pro", (await SubscriptionAsync(customer)).Plan);
        Assert.Equal(0L, await _billing.ScalarAsync<long>("SELECT count(*) FROM billing_invoices WHERE kind = 'proration' AND tenant_id = $1", customer.User.TenantId));
        Assert.Equal(0L, await _billing.ScalarAsync<long>("SELECT count(*) FROM subscription_transitions WHERE tenant_id = $1", customer.User.TenantId));
    }

    [Fact]
    public async Task Transitions_AreRefusedWithReason_WhenStateMachineDoesNotAllowThem()
    {
        var customer = await _billing.SignInAsync();
        await AssertRefusedAsync(customer, "plan", PlanCatalog.Team, "no subscription to change");
        await AssertRefusedAsync(customer, "cancel", null, "no subscription to cancel");
        await _billing.SubscribeAsync(customer);
        await AssertRefusedAsync(customer, "plan", PlanCatalog.Pro, "already on the pro plan");
        await AssertRefusedAsync(customer, "plan", PlanCatalog.Free, "cancel the subscription");
        Assert.Equal(HttpStatusCode.OK, (await customer.Client.PostAsync(new Uri("api/billing/subscription/cancel", UriKind.Relative), null, Ct)).StatusCode);
        await AssertRefusedAsync(customer, "cancel", null, "already canceled");
        await AssertRefusedAsync(customer, "plan", PlanCatalog.Team, "plan changes are closed");
        _billing.Time.Advance(TimeSpan.FromDays(30));
        await RenewAsync();
        await AssertRefusedAsync(customer, "cancel", null, "no subscription to cancel");

        Assert.Empty(_billing.Gateway.Charges);
        Assert.Equal(["active->canceling", "canceling->canceled"], await TransitionsAsync(customer));
    }

    private async Task AssertRefusedAsync(Customer customer, string action, string? plan, string reason)
    {
        var response = action == "plan"
            ? await customer.Client.PostAsJsonAsync("api/billing/subscription/plan", new { plan }, Ct)
            : await customer.Client.PostAsync(new Uri("api/billing/subscription/cancel", UriKind.Relative), null, Ct);
        Assert.Equal(HttpStatusCode.Conflict, response.StatusCode);
        Assert.Contains(reason, await response.Content.ReadAsStringAsync(Ct), StringComparison.Ordinal);
    }

    private async Task<List<string>> TransitionsAsync(Customer customer)
    {
        var rows = await _billing.ScalarAsync<string>(
            "SELECT string_agg(from_status || '->' || to_status, ',' ORDER BY id) FROM subscription_transitions WHERE tenant_id = $1", customer.User.TenantId);
        return [.. (rows ?? string.Empty).Split(',', StringSplitOptions.RemoveEmptyEntries)];
    }

    private Task<int> RenewAsync() => _billing.RunAsync<SubscriptionRenewals, int>(renewals => renewals.RenewDueAsync(Ct));

    private static async Task<LifecycleEndpoints.LifecycleResponse> ChangePlanAsync(Customer customer, string plan)
    {
        var response = await customer.Client.PostAsJsonAsync("api/billing/subscription/plan", new { plan }, Ct);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return (await response.Content.ReadFromJsonAsync<LifecycleEndpoints.LifecycleResponse>(Ct))!;
    }

    private static async Task<BillingEndpoints.SubscriptionResponse> SubscriptionAsync(Customer customer) =>
        (await customer.Client.GetFromJsonAsync<BillingEndpoints.SubscriptionResponse>("api/billing/subscription", Ct))!;

    public async ValueTask DisposeAsync() => await _billing.DisposeAsync();
}
