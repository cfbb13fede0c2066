namespace Apex.Platform.Billing;

/// <summary>
/// The states a paid subscription moves through and the transitions each allows. Everything that
/// changes a subscription asks here first; a refusal is a sentence the customer can act on.
/// <code>
///   (checkout paid) -> active -- upgrade / downgrade --> active
///   active | past_due -- cancel --> canceling -- period end --> canceled
///   active | past_due -- period end, charged --> active (next period)
///   active | past_due -- period end, declined --> past_due
/// </code>
/// </summary>
public static class SubscriptionStateMachine
{
    public const string Active = "active";
    public const string PastDue = "past_due";
    public const string Canceling = "canceling";
    public const string Canceled = "canceled";

    public static string? ChangeRefusal(SubscriptionRow? current, string target) => current switch
    {
        null or { Status: Canceled } => $"There is no subscription to change; subscribe to '{target}' with POST /api/billing/checkout.",
        _ when !PlanCatalog.IsPaid(target) => $"'{target}' is not a paid plan; to leave the paid plans, cancel the subscription.",
        { Status: Canceling } => "The subscription ends at the close of this period; plan changes are closed.",
        { Status: PastDue } => "The last renewal payment failed; plan changes open again once it is paid.",
        _ when current.Plan == target => $"The subscription is already on the {target} plan.",
        _ => null,
    };

    public static string? CancelRefusal(SubscriptionRow? current) => current switch
    {
        null or { Status: Canceled } => "There is no subscription to cancel.",
        { Status: Canceling } => $"The subscription is already canceled; it ends on {current.PeriodEnd:yyyy-MM-dd}.",
        _ => null,
    };

    /// <summary>Whether the renewal job acts on this row now: the period is over and the state renews or ends.</summary>
    public static bool IsDue(SubscriptionRow row, DateTimeOffset now) => row.PeriodEnd <= now && row.Status is Active or PastDue or Canceling;
}

/// <summary>A subscription as the lifecycle reads it (locked), with the user who bought it, who receives its notices.</summary>
public sealed record SubscriptionRow(
    Guid TenantId, Guid OwnerId, string Plan, string Status, decimal Amount, string Currency,
    DateTimeOffset PeriodStart, DateTimeOffset PeriodEnd, decimal CreditBalance);
