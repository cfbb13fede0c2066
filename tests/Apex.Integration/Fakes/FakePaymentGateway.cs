using System.Collections.Concurrent;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace Apex.Integration.Fakes;

/// <summary>
/// A payment gateway at the boundary: it creates hosted checkout sessions for the registered API
/// key, and confirms payments the way real gateways do, by POSTing an event to the merchant's
/// webhook signed Stripe style (<c>t=unix,v1=hex HMAC-SHA256 of "t.body"</c>).
/// </summary>
public sealed class FakePaymentGateway(TimeProvider clock) : FakeHttpServer
{
    public const string ApiKey = "fake-gateway-key";
    public const string WebhookSecret = "whsec_fake_0123456789abcdef";
    public const string SignatureHeader = "Payment-Signature";

    private readonly ConcurrentDictionary<string, GatewayCheckout> _sessions = new();
    // One client for all deliveries, as HttpClient is meant to be used; it lives as long as the test run.
    private static readonly HttpClient Webhooks = new();

    private readonly ConcurrentDictionary<string, GatewayChargeRecord> _charges = new();

    public IReadOnlyCollection<GatewayCheckout> Sessions => [.. _sessions.Values];

    /// <summary>Charges of saved payment methods, one per idempotency key, in the order made.</summary>
    public IReadOnlyList<GatewayChargeRecord> Charges => [.. _charges.Values.OrderBy(c => c.Sequence)];

    /// <summary>When set, every new charge is declined with this reason (e.g. "card_declined").</summary>
    public string? DeclineReason { get; set; }

    private readonly ConcurrentDictionary<string, ChargeFault> _nextFaults = new();
    private int _heldCharges;

    /// <summary>The next charge request for this customer (by reference) meets <paramref name="fault"/>, once.</summary>
    public void FailNextCharge(string reference, ChargeFault fault) => _nextFaults[reference] = fault;

    /// <summary>While set, charges of this customer (or of anyone, when empty) are made but their answer waits for the task.</summary>
    public (string Reference, Task Release)? Hold { get; set; }

    /// <summary>Charge requests waiting on <see cref="Hold"/> now.</summary>
    public int HeldCharges => Volatile.Read(ref _heldCharges);

    public static async Task<FakePaymentGateway> StartNewAsync(TimeProvider clock)
    {
        var gateway = new FakePaymentGateway(clock);
        await gateway.StartAsync();
        return gateway;
    }

    public GatewayCheckout Session(string id) => _sessions[id];

    /// <summary>The event the gateway would send about a session; the id is what redeliveries share.</summary>
    public static GatewayEvent Event(string type, GatewayCheckout session, decimal? amount = null, DateTimeOffset? created = null)
    {
        var id = $"evt_{Guid.NewGuid():N}";
        var body = new JsonObject
        {
            ["id"] = id,
            ["type"] = type,
            ["created"] = created?.ToUnixTimeSeconds(),
            ["data"] = new JsonObject
            {
                ["sessionId"] = session.Id,
                ["amount"] = amount ?? session.Amount,
                ["currency"] = session.Currency,
                ["failureReason"] = type.EndsWith("payment_failed", StringComparison.Ordinal) ? "card_declined" : null,
            },
        };
        return new GatewayEvent(id, body.ToJsonString());
    }

    /// <summary>The signature header for <paramref name="body"/> at <paramref name="at"/> (default: now).</summary>
    public string Sign(string body, DateTimeOffset? at = null, string secret = WebhookSecret)
    {
        var timestamp = (at ?? clock.GetUtcNow()).ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture);
        var mac = HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), Encoding.UTF8.GetBytes($"{timestamp}.{body}"));
        return $"t={timestamp},v1={Convert.ToHexStringLower(mac)}";
    }

    public async Task<HttpResponseMessage> DeliverAsync(Uri webhookUrl, string body, string? signature, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, webhookUrl) { Content = new StringContent(body, Encoding.UTF8, "application/json") };
        if (signature is not null) request.Headers.Add(SignatureHeader, signature);
        return await Webhooks.SendAsync(request, cancellationToken);
    }

    protected override void Map(WebApplication app)
    {
        app.MapPost("/v1/checkout/sessions", CreateSessionAsync);
        app.MapPost("/v1/charges", ChargeAsync);
    }

    private async Task<IResult> ChargeAsync(HttpRequest request)
    {
        if (request.Headers.Authorization != $"Bearer {ApiKey}") return Results.Json(new { error = "invalid_api_key" }, statusCode: 401);
        var body = (await JsonNode.ParseAsync(request.Body))!;
        var key = request.Headers["Idempotency-Key"].ToString();
        if (key.Length == 0) return Results.Json(new { error = "idempotency_key_required" }, statusCode: 400);
        var reference = body["reference"]!.GetValue<string>();
        var fault = _nextFaults.TryRemove(reference, out var next) ? next : (ChargeFault?)null;
        if (fault == ChargeFault.Unavailable) return Results.Json(new { error = "service_unavailable" }, statusCode: 503);
        var reason = fault == ChargeFault.Decline ? "card_declined" : DeclineReason;
        // A repeated key gets the first answer, as real gateways do: no second charge.
        var charge = _charges.GetOrAdd(key, _ => new GatewayChargeRecord($"ch_{Guid.NewGuid():N}", key, reference,
            body["amount"]!.GetValue<decimal>(), body["currency"]!.GetValue<string>(), reason is null ? "succeeded" : "declined", reason,
            Interlocked.Increment(ref _sequence)));
        if (fault == ChargeFault.LoseAnswer)
        {
            request.HttpContext.Abort();
            return Results.Empty;
        }

        await WaitIfHeldAsync(reference, request.HttpContext.RequestAborted);
        return Results.Json(new { id = charge.Id, status = charge.Status, failureReason = charge.FailureReason });
    }

    private async Task WaitIfHeldAsync(string reference, CancellationToken aborted)
    {
        if (Hold is not { } hold || (hold.Reference.Length > 0 && hold.Reference != reference)) return;
        Interlocked.Increment(ref _heldCharges);
        try
        {
            await hold.Release.WaitAsync(aborted);
        }
        finally
        {
            Interlocked.Decrement(ref _heldCharges);
        }
    }

    private long _sequence;

    private async Task<IResult> CreateSessionAsync(HttpRequest request)
    {
        if (request.Headers.Authorization != $"Bearer {ApiKey}") return Results.Json(new { error = "invalid_api_key" }, statusCode: 401);
        var body = (await JsonNode.ParseAsync(request.Body))!;
        var id = $"cs_{Guid.NewGuid():N}";
        _sessions[id] = new GatewayCheckout(id, body["reference"]!.GetValue<string>(), body["plan"]!.GetValue<string>(),
            body["amount"]!.GetValue<decimal>(), body["currency"]!.GetValue<string>());
        return Results.Json(new { id, url = new Uri(BaseAddress, $"pay/{id}") });
    }
}

public enum ChargeFault
{
    /// <summary>Declined with "card_declined"; a new attempt (a new idempotency key) may succeed.</summary>
    Decline,

    /// <summary>Answered 503 before anything is charged.</summary>
    Unavailable,

    /// <summary>Charged, then the connection drops before the answer: the caller cannot know it paid.</summary>
    LoseAnswer,
}

public sealed record GatewayChargeRecord(string Id, string Key, string Reference, decimal Amount, string Currency, string Status, string? FailureReason, long Sequence);

public sealed record GatewayCheckout(string Id, string Reference, string Plan, decimal Amount, string Currency);

/// <summary>A gateway event: its id and its body, the exact text that gets signed.</summary>
public sealed record GatewayEvent(string Id, string Body);
