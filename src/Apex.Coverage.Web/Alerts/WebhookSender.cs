using System.Text;
using Apex.Coverage.Web.Data;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Polly;
using Polly.Retry;
using Polly.Timeout;

namespace Apex.Coverage.Web.Alerts;

/// <summary>
/// Delivers one stored alert to its webhook: signed (HMAC-SHA256 of the body), retried with
/// exponential backoff and jitter on a network error, a timeout, 408, 429 or 5xx (Polly), each
/// attempt counted on the delivery row so the history shows what happened. A 4xx other than
/// 408/429 is the receiver refusing the body: retrying would not change it.
/// </summary>
public sealed partial class WebhookSender
{
    private readonly IDbContextFactory<CoverageDbContext> _databases;
    private readonly IHttpClientFactory _clients;
    private readonly TimeProvider _time;
    private readonly ILogger<WebhookSender> _logger;
    private readonly ResiliencePipeline<HttpResponseMessage> _pipeline;

    public const string ClientName = "alerts";

    public WebhookSender(IDbContextFactory<CoverageDbContext> databases, IHttpClientFactory clients, IOptions<AlertsOptions> options, TimeProvider time, ILogger<WebhookSender> logger)
    {
        (_databases, _clients, _time, _logger) = (databases, clients, time, logger);
        var settings = options.Value;
        _pipeline = new ResiliencePipelineBuilder<HttpResponseMessage> { TimeProvider = time }
            .AddRetry(new RetryStrategyOptions<HttpResponseMessage>
            {
                MaxRetryAttempts = settings.MaxAttempts - 1,
                BackoffType = DelayBackoffType.Exponential,
                UseJitter = true,
                Delay = settings.FirstRetryDelay,
                ShouldHandle = new PredicateBuilder<HttpResponseMessage>()
                    .Handle<HttpRequestException>().Handle<TimeoutRejectedException>()
                    .HandleResult(r => IsTransient((int)r.StatusCode)),
            })
            .AddTimeout(settings.AttemptTimeout)
            .Build();
    }

    public static bool IsTransient(int status) => status is 408 or 429 or >= 500;

    /// <summary>Sends a pending delivery; safe to call twice (a delivered or failed one is left alone).</summary>
    public async Task SendAsync(long deliveryId, CancellationToken cancellationToken)
    {
        await using var db = await _databases.CreateDbContextAsync(cancellationToken);
        var delivery = await db.AlertDeliveries.FirstOrDefaultAsync(d => d.Id == deliveryId && d.Status == DeliveryStatus.Pending, cancellationToken);
        var webhook = delivery is null ? null : await db.Webhooks.AsNoTracking().FirstOrDefaultAsync(w => w.Id == delivery.WebhookId, cancellationToken);
        if (delivery is null || webhook is null)
        {
            return;
        }

        var signature = AlertPayloads.Signature(webhook.Secret, delivery.Body);
        var client = _clients.CreateClient(ClientName);
        try
        {
            using var response = await _pipeline.ExecuteAsync(async token =>
            {
                delivery.Attempts++;
                using var request = Request(webhook.Url, delivery, signature);
                var answer = await client.SendAsync(request, token);
                delivery.LastStatusCode = (int)answer.StatusCode;
                delivery.LastError = answer.IsSuccessStatusCode ? null : $"HTTP {(int)answer.StatusCode} {answer.ReasonPhrase}";
                return answer;
            }, cancellationToken);
            delivery.Status = response.IsSuccessStatusCode ? DeliveryStatus.Delivered : DeliveryStatus.Failed;
        }
        catch (Exception error) when (error is HttpRequestException or TimeoutRejectedException)
        {
            (delivery.Status, delivery.LastError) = (DeliveryStatus.Failed, error.Message);
        }

        delivery.FinishedAt = _time.GetUtcNow();
        await db.SaveChangesAsync(CancellationToken.None);
        if (delivery.Status == DeliveryStatus.Failed)
        {
            LogFailed(webhook.Name, delivery.AlertKey, delivery.Attempts, delivery.LastError);
        }
    }

    private static HttpRequestMessage Request(string url, AlertDelivery delivery, string signature)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, url) { Content = new StringContent(delivery.Body, Encoding.UTF8, "application/json") };
        request.Headers.Add(AlertPayloads.SignatureHeader, signature);
        request.Headers.Add("X-Apex-Event", delivery.Kind);
        request.Headers.Add("X-Apex-Delivery", delivery.Id.ToString(System.Globalization.CultureInfo.InvariantCulture));
        return request;
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Alert {Key} to webhook {Webhook} failed after {Attempts} attempts: {Error}")]
    private partial void LogFailed(string webhook, string key, int attempts, string? error);
}
