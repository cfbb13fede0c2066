using System.Text.Json;
using Apex.Platform.Auth;
using Apex.Platform.Data;
using Apex.Platform.Metering;
using Apex.Platform.Scheduling;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Npgsql;

namespace Apex.Platform.Billing;

public static class BillingEndpoints
{
    public static IServiceCollection AddBilling(this IServiceCollection services)
    {
        services.AddOptions<BillingOptions>().BindConfiguration(BillingOptions.SectionName).ValidateDataAnnotations().ValidateOnStart();
        services.TryAddSingleton(TimeProvider.System);
        services.AddHttpClient<PaymentGatewayClient>();
        services.TryAddSingleton<PlanCatalog>();
        services.TryAddSingleton<SubscriptionStore>();
        services.TryAddSingleton<UsageMeter>();
        services.TryAddSingleton<WebhookSignature>();
        services.TryAddSingleton<PaymentWebhookProcessor>();
        services.AddHttpClient<BillingNotifications>(client => client.Timeout = TimeSpan.FromSeconds(10));
        services.AddScoped<SubscriptionLifecycle>();
        services.AddScoped<SubscriptionRenewals>();
        services.TryAddSingleton<RevenueRecognition>();
        services.TryAddSingleton<RevenueReport>();
        services.AddSchema(40, "billing", SubscriptionStore.Schema);
        services.AddSchema(41, "billing-lifecycle",
            string.Join('\n', PaymentWebhookProcessor.Schema, SubscriptionLifecycle.Schema, BillingLedger.Schema, BillingNotifications.Schema));
        services.AddSchema(42, "revenue", RevenueRecognition.Schema);
        services.AddScheduledJob<NoticeRedispatchJob>(NoticeRedispatchJob.Name, TimeSpan.FromMinutes(5));
        services.AddScheduledJob<RenewalsJob>(RenewalsJob.Name, TimeSpan.FromHours(1));
        services.AddScheduledJob<RevenueRecognitionJob>(RevenueRecognitionJob.Name, TimeSpan.FromDays(1));
        return services;
    }

    /// <summary>Usage billed through billing: needs metering (its usage invoices and ClickHouse) hosted alongside.</summary>
    public static IServiceCollection AddUsageBilling(this IServiceCollection services)
    {
        services.TryAddSingleton<UsageCharges>();
        services.TryAddScoped<UsageInvoicing>();
        services.AddSchema(55, "usage-charges", UsageCharges.Schema);
        services.AddScheduledJob<UsageBillingJob>(UsageBillingJob.Name, TimeSpan.FromDays(1));
        return services;
    }

    public static IEndpointRouteBuilder MapBilling(this IEndpointRouteBuilder app)
    {
        var billing = app.MapGroup("/api/billing").RequireAuthorization();
        billing.MapPost("/checkout", CheckoutAsync);
        billing.MapGet("/subscription", SubscriptionAsync);
        billing.MapSubscriptionLifecycle();
        // The gateway authenticates with the signature, not a platform token.
        app.MapPost("/webhooks/payments", PaymentWebhookEndpoint.ReceiveAsync).AllowAnonymous();
        return app;
    }

    private static async Task<Results<Created<CheckoutResponse>, ProblemHttpResult, ValidationProblem>> CheckoutAsync(
        CheckoutRequest request, HttpContext http, PaymentGatewayClient gateway, SubscriptionStore subscriptions, PlanCatalog catalog,
        ILoggerFactory loggers, CancellationToken ct)
    {
        var plan = request.Plan ?? PlanCatalog.Pro;
        if (!PlanCatalog.IsPaid(plan))
        {
            return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["plan"] = [$"'{plan}' is not a paid plan; choose '{PlanCatalog.Pro}'."] });
        }

        if (!gateway.IsConfigured)
        {
            return TypedResults.Problem("No payment gateway is configured: set Platform:Billing:GatewayUrl and GatewayApiKey.", statusCode: StatusCodes.Status503ServiceUnavailable);
        }

        var user = http.User.ToUserContext();
        if (await subscriptions.CurrentPlanAsync(user.TenantId, ct) == plan)
        {
            return TypedResults.Problem($"This tenant is already on the {plan} plan.", statusCode: StatusCodes.Status409Conflict);
        }

        var amount = catalog.MonthlyPrice(plan);
        if (await TryOpenSessionAsync(gateway, user.TenantId, plan, amount, catalog.Currency, loggers, ct) is not { } session)
        {
            return TypedResults.Problem("The payment gateway could not create a checkout session; try again shortly.", statusCode: StatusCodes.Status502BadGateway);
        }

        await subscriptions.RecordCheckoutAsync(new CheckoutSession(session.Id, user.TenantId, user.UserId, plan, amount, catalog.Currency), ct);
        return TypedResults.Created(session.Url, new CheckoutResponse(session.Id, session.Url, plan, amount, catalog.Currency));
    }

    private static async Task<GatewaySession?> TryOpenSessionAsync(
        PaymentGatewayClient gateway, Guid tenantId, string plan, decimal amount, string currency, ILoggerFactory loggers, CancellationToken ct)
    {
        try
        {
            return await gateway.CreateCheckoutSessionAsync(tenantId, plan, amount, currency, ct);
        }
        catch (HttpRequestException exception)
        {
            // Nothing is stored for a session the gateway did not open; the user may simply retry.
            loggers.CreateLogger(typeof(BillingEndpoints)).LogWarning(exception, "Checkout session creation failed");
            return null;
        }
    }

    private static async Task<Ok<SubscriptionResponse>> SubscriptionAsync(
        HttpContext http, SubscriptionStore subscriptions, UsageMeter meter, PlanCatalog catalog, CancellationToken ct)
    {
        var tenantId = http.User.ToUserContext().TenantId;
        var subscription = await subscriptions.FindAsync(tenantId, ct);
        var plan = subscription?.Plan ?? PlanCatalog.Free;
        return TypedResults.Ok(new SubscriptionResponse(
            plan, subscription?.Status ?? "active", subscription?.Amount ?? 0m, subscription?.Currency ?? catalog.Currency, subscription?.CurrentPeriodEnd,
            await meter.UsedAsync(tenantId, PlanFeature.AgentRuns, ct), catalog.Allowance(plan, PlanFeature.AgentRuns)));
    }

    public sealed record CheckoutRequest(string? Plan);

    public sealed record CheckoutResponse(string SessionId, Uri CheckoutUrl, string Plan, decimal Amount, string Currency);

    public sealed record SubscriptionResponse(
        string Plan, string Status, decimal Amount, string Currency, DateTimeOffset? CurrentPeriodEnd, int AgentRunsUsed, int? AgentRunsAllowance);
}

/// <summary>The gateway's webhook: verify the signature over the raw body first, then apply the event once.</summary>
internal static class PaymentWebhookEndpoint
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public static async Task<Results<Ok<WebhookReceipt>, ProblemHttpResult>> ReceiveAsync(
        HttpRequest request, WebhookSignature signature, PaymentWebhookProcessor processor, BillingNotifications notices, ILoggerFactory loggers,
        CancellationToken ct)
    {
        // The signature covers the exact bytes sent, so the body is read raw, before any parsing.
        using var reader = new StreamReader(request.Body);
        var payload = await reader.ReadToEndAsync(ct);
        if (signature.Refusal(request.Headers[WebhookSignature.HeaderName], payload) is { } refusal)
        {
            return TypedResults.Problem(refusal, title: "Webhook signature refused", statusCode: StatusCodes.Status401Unauthorized);
        }

        if (Parse(payload) is not { } payment)
        {
            return TypedResults.Problem("The webhook body is not a payment event (id, type, data.sessionId, data.amount, data.currency).", statusCode: StatusCodes.Status400BadRequest);
        }

        var outcome = await processor.ProcessAsync(payment, payload, ct);
        if (outcome == WebhookOutcome.Processed) await DispatchAsync(notices, loggers, ct);
        return outcome switch
        {
            WebhookOutcome.UnknownSession => TypedResults.Problem($"No checkout session '{payment.Data.SessionId}'.", statusCode: StatusCodes.Status404NotFound),
            WebhookOutcome.AmountMismatch => TypedResults.Problem(
                "The amount or currency does not fit the checkout session (paid amount differs, or refund exceeds what was paid); nothing changed.",
                statusCode: StatusCodes.Status422UnprocessableEntity),
            WebhookOutcome.NotYetPaid => TypedResults.Problem(
                "The refund's payment has not been received yet; deliver the refund again later.", statusCode: StatusCodes.Status409Conflict),
            _ => TypedResults.Ok(new WebhookReceipt(payment.Id, outcome.ToString().ToLowerInvariant())),
        };
    }

    // The payment is committed already; a notice that cannot go now stays queued for the next dispatch.
    private static async Task DispatchAsync(BillingNotifications notices, ILoggerFactory loggers, CancellationToken ct)
    {
        try
        {
            await notices.DispatchPendingAsync(ct);
        }
        catch (Exception exception) when ((exception is NpgsqlException or HttpRequestException or TaskCanceledException) && !ct.IsCancellationRequested)
        {
            loggers.CreateLogger(typeof(PaymentWebhookEndpoint)).LogWarning(exception, "Billing notices not dispatched");
        }
    }

    private static PaymentEvent? Parse(string payload)
    {
        try
        {
            var payment = JsonSerializer.Deserialize<PaymentEvent>(payload, Json);
            return payment is { Id.Length: > 0, Type.Length: > 0, Data.SessionId.Length: > 0, Data.Currency.Length: > 0 } ? payment : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }
}

public sealed record WebhookReceipt(string EventId, string Outcome);
