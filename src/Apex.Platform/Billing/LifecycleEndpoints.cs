using Apex.Platform.Auth;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Apex.Platform.Billing;

/// <summary>The customer's side of the subscription lifecycle, and their revenue statement.</summary>
public static class LifecycleEndpoints
{
    internal static RouteGroupBuilder MapSubscriptionLifecycle(this RouteGroupBuilder billing)
    {
        billing.MapPost("/subscription/plan", ChangePlanAsync);
        billing.MapPost("/subscription/cancel", CancelAsync);
        billing.MapGet("/revenue", RevenueAsync);
        return billing;
    }

    private static async Task<Results<Ok<LifecycleResponse>, ProblemHttpResult>> ChangePlanAsync(
        PlanChange request, HttpContext http, SubscriptionLifecycle lifecycle, SubscriptionStore store, BillingNotifications notices, CancellationToken ct)
    {
        var user = http.User.ToUserContext();
        return await AnswerAsync(await lifecycle.ChangePlanAsync(user, request.Plan ?? string.Empty, ct), user, store, notices, ct);
    }

    private static async Task<Results<Ok<LifecycleResponse>, ProblemHttpResult>> CancelAsync(
        HttpContext http, SubscriptionLifecycle lifecycle, SubscriptionStore store, BillingNotifications notices, CancellationToken ct)
    {
        var user = http.User.ToUserContext();
        return await AnswerAsync(await lifecycle.CancelAsync(user, ct), user, store, notices, ct);
    }

    private static async Task<Results<Ok<LifecycleResponse>, ProblemHttpResult>> AnswerAsync(
        LifecycleResult result, UserContext user, SubscriptionStore store, BillingNotifications notices, CancellationToken ct)
    {
        if (result.Status != LifecycleStatus.Done)
        {
            var (title, status) = result.Status switch
            {
                LifecycleStatus.Declined => ("Payment declined", StatusCodes.Status402PaymentRequired),
                LifecycleStatus.Unavailable => ("Payment gateway unavailable", StatusCodes.Status502BadGateway),
                _ => ("Subscription change not allowed", StatusCodes.Status409Conflict),
            };
            return TypedResults.Problem(result.Message, title: title, statusCode: status);
        }

        await notices.DispatchPendingAsync(ct);
        var subscription = (await store.FindAsync(user.TenantId, ct))!;
        return TypedResults.Ok(new LifecycleResponse(subscription.Plan, subscription.Status, subscription.Amount, subscription.CurrentPeriodEnd,
            subscription.CreditBalance, result.Charged, result.Credited));
    }

    private static async Task<Results<Ok<RevenueStatement>, ValidationProblem>> RevenueAsync(
        DateOnly? from, DateOnly? to, HttpContext http, RevenueReport report, CancellationToken ct) =>
        from is { } start && to is { } end && start <= end
            ? TypedResults.Ok(await report.ForTenantAsync(http.User.ToUserContext().TenantId, start, end, ct))
            : TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["range"] = ["Give from and to as yyyy-MM-dd, from not after to."] });

    public sealed record PlanChange(string? Plan);

    public sealed record LifecycleResponse(
        string Plan, string Status, decimal Amount, DateTimeOffset CurrentPeriodEnd, decimal CreditBalance, decimal Charged, decimal Credited);
}
