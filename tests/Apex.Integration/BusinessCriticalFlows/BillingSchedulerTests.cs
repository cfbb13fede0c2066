using System.Net.Http.Json;
using Apex.Integration.Infrastructure;
using Apex.Platform.Billing;
using Apex.Platform.Metering;
using Apex.Platform.Scheduling;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace Apex.Integration.BusinessCriticalFlows;

/// <summary>
/// The platform's periodic billing work on its own scheduler, with two real platform instances on
/// one database and one clock: a due job runs on exactly one of them; an instance stopped in the
/// middle of a run leaves the slot due, and the other finishes it on its next tick without doing
/// anything twice; two recognition runs at once take turns on item 100's advisory lock.
/// </summary>
[PlanItem(97)]
[PlanItem(99)]
[PlanItem(100)]
[BusinessValue(
    segment: "Every paying and usage-billed tenant",
    businessGoal: "Revenue operations that happen on time, once: renewals, usage charges, notices and revenue",
    valueImpact: "$50K MRR billed by jobs",
    strategicImpact: "A job nobody schedules bills nobody; a job two nodes run at once bills twice")]
public sealed class BillingSchedulerTests(PostgresServer postgres, RedisServer redis, ClickHouseServer clickHouse) : IAsyncLifetime
{
    private static readonly TimeSpan Tick = TimeSpan.FromMinutes(1);
    private readonly List<IAsyncDisposable> _harnesses = [];

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public ValueTask InitializeAsync() => ValueTask.CompletedTask;

    [Fact]
    public async Task Renewals_RunOnExactlyOneInstance_WhenTwoInstancesFindTheJobDueAtOnce()
    {
        var billing = await StartAsync(new BillingSetup(Scheduler: true));
        var (first, second) = (billing.Platform, await billing.StartInstanceAsync());
        var customers = new[] { await billing.SignInAsync(), await billing.SignInAsync() };
        foreach (var customer in customers) await billing.SubscribeAsync(customer);
        var release = new TaskCompletionSource();
        billing.Gateway.Hold = (string.Empty, release.Task);

        billing.Time.Advance(TimeSpan.FromDays(30));
        var slot = billing.Time.GetUtcNow();
        // The runner waits on the gateway with the lock held while the other instance offers to run it.
        await Eventually.TrueAsync(() => Task.FromResult(billing.Gateway.HeldCharges == 1 && Attempts(RenewalsJob.Name, slot, first, second).Contains(JobOutcome.Busy)));
        release.SetResult();
        await Eventually.TrueAsync(() => Task.FromResult(Attempts(RenewalsJob.Name, slot, first, second).Contains(JobOutcome.Succeeded)));
        await TickBothAsync(billing, first, second);

        // One ran it; the other found it busy (on every tick while it ran), then found it done.
        var outcomes = new[] { Attempts(RenewalsJob.Name, slot, first), Attempts(RenewalsJob.Name, slot, second) };
        Assert.Single(outcomes, o => o.SequenceEqual([JobOutcome.Succeeded]));
        Assert.Single(outcomes, o => o.Contains(JobOutcome.Busy) && o[^1] == JobOutcome.NotDue && !o.Contains(JobOutcome.Succeeded));
        var run = Assert.Single(await RunsAsync(billing, RenewalsJob.Name));
        Assert.Equal(("succeeded", slot.UtcDateTime), (run.Outcome, run.Slot));
        Assert.Equal(customers.Select(c => c.User.TenantId.ToString()).Order(), billing.Gateway.Charges.Select(c => c.Reference).Order());
        Assert.Equal(2L, await billing.ScalarAsync<long>("SELECT count(*) FROM billing_invoices WHERE kind = 'renewal'"));
    }

    [Fact]
    public async Task UsageBilling_ResumesOnTheOtherInstanceWithoutChargingTwice_WhenTheRunningInstanceStopsMidRun()
    {
        var billing = await StartAsync(new BillingSetup(clickHouse, Scheduler: true, Start: new DateTimeOffset(2031, 3, 20, 0, 0, 0, TimeSpan.Zero)));
        var instances = new List<PlatformInstance> { billing.Platform, await billing.StartInstanceAsync() };
        var customers = new List<Customer>();
        for (var i = 0; i < 3; i++) customers.Add(await billing.SignInAsync());
        foreach (var (customer, i) in customers.Select((c, i) => (c, i))) await CollectRunsAsync(billing, customer, 10 * (i + 1));
        // Invoices are charged in tenant order: the run is cut while the second one's charge is in flight.
        var ordered = customers.OrderBy(c => c.User.TenantId.ToString("N"), StringComparer.Ordinal).ToList();
        billing.Gateway.Hold = (ordered[1].User.TenantId.ToString(), new TaskCompletionSource().Task);

        billing.Time.Advance(TimeSpan.FromDays(12));
        var slot = billing.Time.GetUtcNow();
        await Eventually.TrueAsync(() => Task.FromResult(billing.Gateway.HeldCharges == 1));
        var runner = (await billing.ScalarAsync<string>("SELECT instance FROM scheduled_job_runs WHERE job = $1 AND outcome = 'running'", UsageBillingJob.Name))!;
        var stopped = instances.Single(i => Activity(i).InstanceName == runner);
        var survivor = instances.Single(i => i != stopped);
        await billing.StopInstanceAsync(stopped);
        Assert.Equal(1, billing.Gateway.Charges.Count(c => c.Reference == ordered[1].User.TenantId.ToString()));
        billing.Gateway.Hold = null;
        billing.Time.Advance(Tick);
        await Eventually.TrueAsync(() => Task.FromResult(Activity(survivor).Attempts.Any(a => a is { Job: UsageBillingJob.Name, Outcome: JobOutcome.Succeeded })));

        Assert.Equal([("abandoned", runner), ("succeeded", Activity(survivor).InstanceName)],
            (await RunsAsync(billing, UsageBillingJob.Name)).Select(r => (r.Outcome, r.Instance)));
        Assert.All(await RunsAsync(billing, UsageBillingJob.Name), run => Assert.Equal(slot.UtcDateTime, run.Slot));
        await AssertChargedOnceEachAsync(billing, ordered);
    }

    /// <summary>One charge per tenant at the gateway (the cut one answered from its key), one invoice and one notice each.</summary>
    private static async Task AssertChargedOnceEachAsync(BillingHarness billing, List<Customer> ordered)
    {
        Assert.Equal(ordered.Select(c => (c.User.TenantId.ToString(), "succeeded")), billing.Gateway.Charges.Select(c => (c.Reference, c.Status)));
        Assert.Equal(3L, await billing.ScalarAsync<long>("""
            SELECT count(*) FROM usage_charges c JOIN billing_invoices i ON i.id = c.billing_invoice_id WHERE c.status = 'paid' AND i.payment_ref = c.charge_id
            """));
        Assert.Equal(3L, await billing.ScalarAsync<long>("SELECT count(*) FROM billing_invoices WHERE kind = 'usage'"));
        Assert.All(ordered, c => Assert.Equal(["usage.charged"], billing.Email.To(c.User.Email).Select(m => m.Template)));
    }

    private static async Task CollectRunsAsync(BillingHarness billing, Customer customer, int count)
    {
        var events = Enumerable.Range(0, count).Select(i => new UsageEvent($"run-{i}", "agent_runs", 1, billing.Time.GetUtcNow().AddDays(-5).AddMinutes(i)));
        (await customer.Client.PostAsJsonAsync("api/usage/events", new { events }, Ct)).EnsureSuccessStatusCode();
    }

    [Fact]
    public async Task Recognition_TakesTurnsOnTheAdvisoryLock_WhenTwoInstancesRecognizeTheSameDaysAtOnce()
    {
        var billing = await StartAsync(new BillingSetup());
        var (first, second) = (billing.Platform, await billing.StartInstanceAsync());
        var customer = await billing.SignInAsync();
        await billing.SubscribeAsync(customer);
        billing.Time.Advance(TimeSpan.FromDays(10));
        var through = new DateOnly(2031, 4, 10);

        // The test holds the recognition lock itself, so both runs must be waiting on it at once.
        await using var holder = await billing.Database.OpenConnectionAsync(Ct);
        await using var transaction = await holder.BeginTransactionAsync(Ct);
        await using (var take = new NpgsqlCommand("SELECT pg_advisory_xact_lock(1380275761)", holder, transaction)) await take.ExecuteNonQueryAsync(Ct);
        var runs = new[] { first, second }.Select(i => i.Services.GetRequiredService<RevenueRecognition>().RecognizeThroughAsync(through, Ct)).ToList();
        await Eventually.TrueAsync(async () => await billing.ScalarAsync<long>("""
            SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND NOT granted AND classid = 0 AND objid = 1380275761 AND objsubid = 1
              AND database = (SELECT oid FROM pg_database WHERE datname = current_database())
            """) == 2);
        await transaction.CommitAsync(Ct);
        var done = await Task.WhenAll(runs);

        // 49.00 x 10/30 = 16.33 recognized once: one run found ten days, the one after it none.
        Assert.Equal([(0, 0m), (10, 16.33m)], done.Select(r => (r.Entries, r.Amount)).Order());
        Assert.Equal((10L, 16.33m), (await billing.ScalarAsync<long>("SELECT count(*) FROM revenue_entries"), await billing.ScalarAsync<decimal>("SELECT sum(amount) FROM revenue_entries")));
        Assert.Equal(2L, await billing.ScalarAsync<long>("SELECT count(*) FROM revenue_audit"));
    }

    private async Task<BillingHarness> StartAsync(BillingSetup setup)
    {
        var harness = await BillingHarness.StartAsync(postgres, redis, "scheduler97", setup);
        _harnesses.Add(harness);
        return harness;
    }

    private static SchedulerActivity Activity(PlatformInstance instance) => instance.Services.GetRequiredService<SchedulerActivity>();

    private static List<JobOutcome> Attempts(string job, DateTimeOffset slot, params PlatformInstance[] instances) =>
        [.. instances.SelectMany(i => Activity(i).Attempts).Where(a => a.Job == job && a.Slot == slot).Select(a => a.Outcome)];

    /// <summary>One more tick on both instances, started after the clock moved: whatever they would still do for the slot, they have done.</summary>
    private static async Task TickBothAsync(BillingHarness billing, params PlatformInstance[] instances)
    {
        billing.Time.Advance(Tick);
        var now = billing.Time.GetUtcNow();
        await Eventually.TrueAsync(() => Task.FromResult(instances.All(i => Activity(i).LastTickStartedAt >= now)));
    }

    private static async Task<List<(string Outcome, string Instance, DateTime Slot)>> RunsAsync(BillingHarness billing, string job)
    {
        await using var command = billing.Database.CreateCommand("SELECT outcome, instance, slot FROM scheduled_job_runs WHERE job = $1 ORDER BY id");
        command.Parameters.Add(new NpgsqlParameter { Value = job });
        await using var reader = await command.ExecuteReaderAsync(Ct);
        var runs = new List<(string, string, DateTime)>();
        while (await reader.ReadAsync(Ct)) runs.Add((reader.GetString(0), reader.GetString(1), reader.GetDateTime(2)));
        return runs;
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var harness in _harnesses) await harness.DisposeAsync();
    }
}
