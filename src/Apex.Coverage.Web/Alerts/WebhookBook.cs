using System.Security.Cryptography;
using Apex.Coverage.Web.Data;
using Microsoft.EntityFrameworkCore;

namespace Apex.Coverage.Web.Alerts;

/// <summary>A webhook as it is listed: never its secret.</summary>
public sealed record WebhookView(long Id, string Name, string Url, string Format, bool Enabled, DateTimeOffset CreatedAt);

/// <summary>A delivery as the history shows it.</summary>
public sealed record DeliveryView(long Id, long WebhookId, string Webhook, string Kind, string Title, string Status, int Attempts, int? LastStatusCode, string? LastError, DateTimeOffset CreatedAt, DateTimeOffset? FinishedAt);

/// <summary>A webhook that cannot be saved, with a message a person can act on.</summary>
public sealed class WebhookException(string message) : Exception(message);

/// <summary>The admins' webhook list and the delivery history, for the API and the page alike.</summary>
public sealed class WebhookBook(IDbContextFactory<CoverageDbContext> databases, TimeProvider time)
{
    /// <summary>Adds a webhook; answers it with its secret (generated when none is given), shown this once.</summary>
    /// <exception cref="WebhookException">The name, URL or format is not usable, or the name is taken.</exception>
    public async Task<(WebhookView Webhook, string Secret)> AddAsync(string? name, string? url, string? format, string? secret, CancellationToken cancellationToken)
    {
        var trimmed = name?.Trim() ?? "";
        if (trimmed.Length is 0 or > 100)
        {
            throw new WebhookException("Give the webhook a name of 1 to 100 characters.");
        }

        if (!Uri.TryCreate(url?.Trim(), UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https"))
        {
            throw new WebhookException($"'{url}' is not an absolute http or https URL.");
        }

        if (!Enum.TryParse<WebhookFormat>(format ?? "json", ignoreCase: true, out var kind) || !Enum.IsDefined(kind))
        {
            throw new WebhookException($"format must be json, slack or teams (got '{format}').");
        }

        await using var db = await databases.CreateDbContextAsync(cancellationToken);
        if (await db.Webhooks.AnyAsync(w => w.Name == trimmed, cancellationToken))
        {
            throw new WebhookException($"A webhook named '{trimmed}' exists already; remove it first or pick another name.");
        }

        var webhook = new Webhook
        {
            Name = trimmed, Url = uri.ToString(), Format = kind, CreatedAt = time.GetUtcNow(),
            Secret = string.IsNullOrWhiteSpace(secret) ? Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(32)) : secret.Trim(),
        };
        db.Webhooks.Add(webhook);
        await db.SaveChangesAsync(cancellationToken);
        return (View(webhook), webhook.Secret);
    }

    public async Task<List<WebhookView>> ListAsync(CancellationToken cancellationToken)
    {
        await using var db = await databases.CreateDbContextAsync(cancellationToken);
        return [.. (await db.Webhooks.AsNoTracking().OrderBy(w => w.Name).ToListAsync(cancellationToken)).Select(View)];
    }

    public async Task<bool> RemoveAsync(long id, CancellationToken cancellationToken)
    {
        await using var db = await databases.CreateDbContextAsync(cancellationToken);
        return await db.Webhooks.Where(w => w.Id == id).ExecuteDeleteAsync(cancellationToken) > 0;
    }

    public async Task<List<DeliveryView>> DeliveriesAsync(int take, CancellationToken cancellationToken)
    {
        await using var db = await databases.CreateDbContextAsync(cancellationToken);
        return await (from d in db.AlertDeliveries.AsNoTracking()
                      join w in db.Webhooks.AsNoTracking() on d.WebhookId equals w.Id
                      orderby d.Id descending
                      select new DeliveryView(d.Id, d.WebhookId, w.Name, d.Kind, d.Title, d.Status.ToString().ToLower(), d.Attempts,
                          d.LastStatusCode, d.LastError, d.CreatedAt, d.FinishedAt))
            .Take(take).ToListAsync(cancellationToken);
    }

    private static WebhookView View(Webhook w) => new(w.Id, w.Name, w.Url, w.Format.ToString().ToLowerInvariant(), w.Enabled, w.CreatedAt);
}
