using Apex.Coverage.Web.Alerts;
using Microsoft.AspNetCore.Components;
using MudBlazor;

namespace Apex.Coverage.Web.Components.Alerts;

/// <summary>Adds and removes webhooks and shows the delivery history, through <see cref="WebhookBook"/> as the API does.</summary>
public sealed partial class AlertsPage
{
    private static readonly string[] Formats = [.. Enum.GetNames<WebhookFormat>().Select(n => n.ToLowerInvariant())];
    private List<WebhookView> _webhooks = [];
    private List<DeliveryView> _deliveries = [];
    private string? _name;
    private string? _url;
    private string _format = "json";
    private string? _secret;

    [Inject] private WebhookBook Book { get; set; } = null!;

    [Inject] private ISnackbar Snackbar { get; set; } = null!;

    [Inject] private Access.DashboardAccess Access { get; set; } = null!;

    protected override Task OnInitializedAsync() => LoadAsync();

    private static string LastAnswer(DeliveryView delivery) =>
        delivery.LastError ?? (delivery.LastStatusCode is { } code ? $"HTTP {code}" : "—");

    private async Task LoadAsync()
    {
        _webhooks = await Book.ListAsync(CancellationToken.None);
        _deliveries = await Book.DeliveriesAsync(100, CancellationToken.None);
    }

    private async Task AddAsync()
    {
        try
        {
            await Access.DemandAdminAsync();
            (_, _secret) = await Book.AddAsync(_name, _url, _format, null, CancellationToken.None);
            (_name, _url) = (null, null);
            await LoadAsync();
        }
        catch (WebhookException error)
        {
            Snackbar.Add(error.Message, Severity.Warning);
        }
    }

    private async Task RemoveAsync(long id)
    {
        await Access.DemandAdminAsync();
        await Book.RemoveAsync(id, CancellationToken.None);
        await LoadAsync();
    }
}
