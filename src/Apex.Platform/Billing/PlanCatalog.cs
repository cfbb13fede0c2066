using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;

namespace Apex.Platform.Billing;

public enum PlanFeature
{
    AgentRuns,
}

/// <summary>What each plan costs and allows. Free is where every tenant starts and stays until a payment is confirmed.</summary>
public sealed class PlanCatalog(IOptions<BillingOptions> options)
{
    public const string Free = "free";
    public const string Pro = "pro";
    public const string Team = "team";

    public static string FeatureName(PlanFeature feature) => feature switch
    {
        PlanFeature.AgentRuns => "agent_runs",
        _ => throw new ArgumentOutOfRangeException(nameof(feature), feature, "Unknown plan feature."),
    };

    public static bool IsPaid(string plan) => plan is Pro or Team;

    /// <summary>Order of plans by what they include: a higher rank is an upgrade.</summary>
    public static int Rank(string plan) => plan switch { Team => 2, Pro => 1, _ => 0 };

    /// <summary>Uses per month; null is unlimited.</summary>
    public int? Allowance(string plan, PlanFeature feature) => (plan, feature) switch
    {
        (Free, PlanFeature.AgentRuns) => options.Value.FreeAgentRunsPerMonth,
        _ => null,
    };

    public decimal MonthlyPrice(string plan) => plan switch
    {
        Pro => options.Value.ProMonthlyPrice,
        Team => options.Value.TeamMonthlyPrice,
        _ => 0m,
    };

    public string Currency => options.Value.Currency;
}

/// <summary>Whether one more use of a feature fits the tenant's plan this month.</summary>
public sealed record UsageDecision(bool Allowed, string Plan, PlanFeature Feature, int? Allowance, int Used)
{
    /// <summary>402 with what the limit is and how to lift it, so a client can show the upgrade.</summary>
    public ProblemHttpResult ToProblem() => TypedResults.Problem(
        title: "Plan limit reached",
        detail: $"The {Plan} plan allows {Allowance} {PlanCatalog.FeatureName(Feature).Replace('_', ' ')} per month and this tenant has used {Used}. "
            + "Upgrade with POST /api/billing/checkout.",
        statusCode: StatusCodes.Status402PaymentRequired,
        extensions: new Dictionary<string, object?>
        {
            ["limit"] = PlanCatalog.FeatureName(Feature),
            ["plan"] = Plan,
            ["allowance"] = Allowance,
            ["used"] = Used,
        });
}
