using Apex.Coverage.Web.Access;
using Apex.Coverage.Web.ApiTokens;
using Apex.Coverage.Web.Audit;
using Microsoft.AspNetCore.Components;

namespace Apex.Coverage.Web.Components.Settings;

/// <summary>Admins make and revoke API tokens here; each handler checks the role again and records who did it.</summary>
public sealed partial class ApiTokensPage
{
    private IReadOnlyList<ApiTokenSummary>? _tokens;
    private CreatedApiToken? _created;
    private string? _name;
    private string? _error;
    private string? _confirming;
    private bool _busy;
    private bool _resultsWrite = true;
    private bool _runsWrite = true;
    private bool _alertsWrite;
    private string? _suite;
    private DateTime? _expires;

    [Inject]
    private DashboardAccess Access { get; set; } = null!;

    [Inject]
    private AuditTrail Audit { get; set; } = null!;

    [Inject]
    private ApiTokenStore Store { get; set; } = null!;

    protected override async Task OnInitializedAsync() => _tokens = await Store.ListAsync(CancellationToken.None);

    private async Task CreateAsync()
    {
        _busy = true;
        _error = null;
        _created = null;
        try
        {
            var actor = await Access.DemandAdminAsync();
            if (Scopes().Count == 0)
            {
                throw new ApiTokenException("Tick at least one thing the token may do.");
            }

            var created = await Store.CreateAsync(Request(actor), CancellationToken.None);
            await Audit.RecordAsync(actor, AuditActions.TokenCreated, created.Name, string.Join(" ", Scopes()));
            _created = created;
            _name = null;
            _tokens = await Store.ListAsync(CancellationToken.None);
        }
        catch (Exception ex) when (ex is ApiTokenException or AccessDeniedException)
        {
            _error = ex.Message;
        }
        finally
        {
            _busy = false;
        }
    }

    private ApiTokenRequest Request(AuditActor actor) =>
        new(_name ?? string.Empty, Scopes(), _suite,
            _expires is { } day ? new DateTimeOffset(DateTime.SpecifyKind(day.Date.AddDays(1), DateTimeKind.Utc)) : null, actor.Name);

    private List<string> Scopes() =>
        [.. ApiTokenScopes.Known.Where(s => s switch
        {
            ApiTokenScopes.ResultsWrite => _resultsWrite,
            ApiTokenScopes.RunsWrite => _runsWrite,
            _ => _alertsWrite,
        })];

    private async Task RevokeAsync(string name)
    {
        _confirming = null;
        AuditActor actor;
        try
        {
            actor = await Access.DemandAdminAsync();
        }
        catch (AccessDeniedException denied)
        {
            _error = denied.Message;
            return;
        }

        if (await Store.RevokeAsync(name, CancellationToken.None))
        {
            await Audit.RecordAsync(actor, AuditActions.TokenRevoked, name);
        }

        // The token made a moment ago is of no use once revoked; stop showing it.
        if (_created?.Name == name)
        {
            _created = null;
        }

        _tokens = await Store.ListAsync(CancellationToken.None);
    }
}
