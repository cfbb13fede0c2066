using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Extensions.Options;
using Npgsql;

namespace Apex.Platform.Billing;

/// <summary>
/// Billing notices to the customer (payment received, failed, refunded, plan changed) through an
/// outbox: queued in the same transaction as the change they announce, sent afterwards to the
/// email provider. A provider outage delays a notice, never loses it or the payment it announces.
/// </summary>
public sealed class BillingNotifications(NpgsqlDataSource dataSource, HttpClient http, IOptions<BillingOptions> options, TimeProvider time,
    ILogger<BillingNotifications> logger)
{
    public const string Schema = """
        CREATE TABLE IF NOT EXISTS billing_notifications (
            id bigserial PRIMARY KEY,
            tenant_id uuid NOT NULL REFERENCES tenants(id),
            recipient text NOT NULL,
            kind text NOT NULL,
            payload jsonb NOT NULL,
            dedup_key text NOT NULL UNIQUE,
            status text NOT NULL,
            attempts int NOT NULL,
            last_error text,
            created_at timestamptz NOT NULL,
            sent_at timestamptz);
        """;

    /// <summary>Queues a notice to <paramref name="userId"/> inside the caller's transaction; a repeated key queues nothing.</summary>
    public static async Task EnqueueAsync(NpgsqlConnection connection, Guid userId, string kind, object payload, string dedupKey, DateTimeOffset now,
        CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand("""
            INSERT INTO billing_notifications (tenant_id, recipient, kind, payload, dedup_key, status, attempts, created_at)
            SELECT tenant_id, email, $2, $3::jsonb, $4, 'pending', 0, $5 FROM users WHERE id = $1
            ON CONFLICT (dedup_key) DO NOTHING
            """, connection);
        foreach (var value in new object[] { userId, kind, JsonSerializer.Serialize(payload, JsonSerializerOptions.Web), dedupKey, now })
        {
            command.Parameters.Add(new NpgsqlParameter { Value = value });
        }

        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    /// <summary>
    /// Sends what is pending, oldest first. Rows are locked while they are sent (SKIP LOCKED), so
    /// concurrent dispatchers (two webhooks, two instances) never send one notice twice.
    /// </summary>
    public async Task<int> DispatchPendingAsync(CancellationToken cancellationToken)
    {
        if (options.Value.NotificationUrl is null) return 0;
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        var pending = await PendingAsync(connection, cancellationToken);
        var sent = 0;
        foreach (var notice in pending)
        {
            var error = await TrySendAsync(notice, cancellationToken);
            await MarkAsync(connection, notice.Id, error, cancellationToken);
            if (error is null) sent++;
        }

        await transaction.CommitAsync(cancellationToken);
        return sent;
    }

    private static async Task<List<Notice>> PendingAsync(NpgsqlConnection connection, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand(
            "SELECT id, recipient, kind, payload::text FROM billing_notifications WHERE status = 'pending' ORDER BY id LIMIT 100 FOR UPDATE SKIP LOCKED", connection);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var notices = new List<Notice>();
        while (await reader.ReadAsync(cancellationToken)) notices.Add(new Notice(reader.GetInt64(0), reader.GetString(1), reader.GetString(2), reader.GetString(3)));
        return notices;
    }

    private async Task<string?> TrySendAsync(Notice notice, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(new Uri(options.Value.NotificationUrl!), "v1/messages"))
        {
            Content = JsonContent.Create(new { to = notice.Recipient, template = notice.Kind, data = JsonDocument.Parse(notice.Payload).RootElement }),
        };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", options.Value.NotificationApiKey);
        request.Headers.Add("Idempotency-Key", $"billing-notice-{notice.Id}");
        try
        {
            using var response = await http.SendAsync(request, cancellationToken);
            return response.IsSuccessStatusCode ? null : $"The email provider answered {(int)response.StatusCode}.";
        }
        catch (HttpRequestException exception)
        {
            logger.LogWarning(exception, "Billing notice {Id} not sent", notice.Id);
            return exception.Message;
        }
    }

    private async Task MarkAsync(NpgsqlConnection connection, long id, string? error, CancellationToken cancellationToken)
    {
        await using var command = error is null
            ? new NpgsqlCommand("UPDATE billing_notifications SET status = 'sent', sent_at = $2, attempts = attempts + 1 WHERE id = $1", connection)
            : new NpgsqlCommand("UPDATE billing_notifications SET attempts = attempts + 1, last_error = $2 WHERE id = $1", connection);
        command.Parameters.Add(new NpgsqlParameter { Value = id });
        command.Parameters.Add(new NpgsqlParameter { Value = error is null ? time.GetUtcNow() : error });
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    private sealed record Notice(long Id, string Recipient, string Kind, string Payload);
}
