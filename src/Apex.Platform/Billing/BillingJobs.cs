using Apex.Platform.Metering;
using Apex.Platform.Scheduling;

namespace Apex.Platform.Billing;

/// <summary>The renewal job on the scheduler: every period that ended is renewed, ended or retried.</summary>
public sealed class RenewalsJob(SubscriptionRenewals renewals) : IScheduledJob
{
    public const string Name = "billing-renewals";

    public Task RunAsync(DateTimeOffset slot, CancellationToken cancellationToken) => renewals.RenewDueAsync(cancellationToken);
}

/// <summary>Notices the email provider did not take when they were queued go out again.</summary>
public sealed class NoticeRedispatchJob(BillingNotifications notices) : IScheduledJob
{
    public const string Name = "billing-notices";

    public Task RunAsync(DateTimeOffset slot, CancellationToken cancellationToken) => notices.DispatchPendingAsync(cancellationToken);
}

/// <summary>Daily revenue recognition through the day before the slot: the last day that has ended when it is due.</summary>
public sealed class RevenueRecognitionJob(RevenueRecognition recognition) : IScheduledJob
{
    public const string Name = "revenue-recognition";

    public Task RunAsync(DateTimeOffset slot, CancellationToken cancellationToken) =>
        recognition.RecognizeThroughAsync(DateOnly.FromDateTime(slot.UtcDateTime).AddDays(-1), cancellationToken);
}

/// <summary>
/// Usage to money: closed periods are invoiced from metering, the invoices charged and booked,
/// and their notices sent. Each step is idempotent, so a run cut short is finished by the next.
/// </summary>
public sealed class UsageBillingJob(UsageInvoicing invoicing, UsageCharges charges, BillingNotifications notices) : IScheduledJob
{
    public const string Name = "usage-billing";

    public async Task RunAsync(DateTimeOffset slot, CancellationToken cancellationToken)
    {
        await invoicing.IssueClosedPeriodsAsync(cancellationToken);
        await charges.ChargePendingAsync(cancellationToken);
        await notices.DispatchPendingAsync(cancellationToken);
    }
}
