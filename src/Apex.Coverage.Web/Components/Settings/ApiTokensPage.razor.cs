using Apex.Coverage.Web.ApiTokens;
using Microsoft.AspNetCore.Components;

namespace Apex.Coverage.Web.Components.Settings;

public sealed partial class ApiTokensPage
{
    private IReadOnlyList<ApiTokenSummary>? _tokens;
    private CreatedApiToken? _created;
    private string? _name;
    private string? _error;
    private string? _confirming;
    private bool _busy;

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
            _created = await Store.CreateAsync(_name ?? string.Empty, CancellationToken.None);
            _name = null;
            _tokens = await Store.ListAsync(CancellationToken.None);
        }
        catch (ApiTokenException ex)
        {
            _error = ex.Message;
        }
        finally
        {
            _busy = false;
        }
    }

    private async Task RevokeAsync(string name)
    {
        _confirming = null;
        await Store.RevokeAsync(name, CancellationToken.None);
        // The token made a moment ago is of no use once revoked; stop showing it.
        if (_created?.Name == name)
        {
            _created = null;
        }

        _tokens = await Store.ListAsync(CancellationToken.None);
    }
}
