using Apex.Coverage.Web.Access;
using Apex.Coverage.Web.ApiTokens;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Apex.Coverage.Web.Alerts;

public sealed record AddWebhookRequest(string? Name, string? Url, string? Format, string? Secret);

public sealed record WebhookCreatedJson(WebhookView Webhook, string Secret);

/// <summary>
/// /api/v1/alerts: the webhooks (list, add, remove) and the delivery history. Webhooks hold
/// secrets and send data out, so this is an admin's API: reads need a signed-in admin or a token
/// with scope <c>alerts:write</c>, changes that token (a browser session never writes through the API, ADR 0170).
/// </summary>
public static class AlertsApi
{
    public static IEndpointRouteBuilder MapAlertsApi(this IEndpointRouteBuilder app)
    {
        var alerts = app.MapGroup("/api/v1/alerts").WithTags("Alerts");
        alerts.MapGet("/webhooks", (WebhookBook book, CancellationToken ct) => book.ListAsync(ct)).RequireAuthorization(AccessPolicies.AlertsRead);
        alerts.MapPost("/webhooks", AddAsync).RequireApiToken(ApiTokenScopes.AlertsWrite);
        alerts.MapDelete("/webhooks/{id:long}", RemoveAsync).RequireApiToken(ApiTokenScopes.AlertsWrite);
        alerts.MapGet("/deliveries", (WebhookBook book, CancellationToken ct, int take = 100) => book.DeliveriesAsync(Math.Clamp(take, 1, 1000), ct))
            .RequireAuthorization(AccessPolicies.AlertsRead);
        return app;
    }

    private static async Task<Results<Created<WebhookCreatedJson>, ProblemHttpResult>> AddAsync(
        AddWebhookRequest request, WebhookBook book, CancellationToken cancellationToken)
    {
        try
        {
            var (webhook, secret) = await book.AddAsync(request.Name, request.Url, request.Format, request.Secret, cancellationToken);
            return TypedResults.Created($"/api/v1/alerts/webhooks/{webhook.Id}", new WebhookCreatedJson(webhook, secret));
        }
        catch (WebhookException error)
        {
            return TypedResults.Problem(statusCode: 400, title: "The webhook cannot be added", detail: error.Message);
        }
    }

    private static async Task<Results<NoContent, ProblemHttpResult>> RemoveAsync(long id, WebhookBook book, CancellationToken cancellationToken) =>
        await book.RemoveAsync(id, cancellationToken)
            ? TypedResults.NoContent()
            : TypedResults.Problem(statusCode: 404, title: "No such webhook", detail: $"There is no webhook {id}. GET /api/v1/alerts/webhooks lists them.");
}
