using Apex.Coverage.Web.Access;
using Apex.Coverage.Web.Audit;
using Microsoft.AspNetCore.Components;

namespace Apex.Coverage.Web.Components.Settings;

/// <summary>
/// Admins add local accounts and change roles. Identity's stores take a scoped context, so each
/// operation gets a scope of its own rather than one context for the circuit's lifetime.
/// </summary>
public sealed partial class UsersPage
{
    private IReadOnlyList<UserSummary> _users = [];
    private string? _email;
    private string? _password;
    private string _role = DashboardRoles.Viewer;
    private string? _error;
    private bool _busy;

    [Inject] private IServiceScopeFactory Scopes { get; set; } = null!;

    [Inject] private DashboardAccess Access { get; set; } = null!;

    [Inject] private AuditTrail Audit { get; set; } = null!;

    protected override Task OnInitializedAsync() => LoadAsync();

    private Task CreateAsync() => ActAsync(async (accounts, actor) =>
    {
        await accounts.CreateAsync(_email ?? "", _password ?? "", _role);
        await Audit.RecordAsync(actor, AuditActions.UserCreated, _email, _role);
        (_email, _password) = (null, null);
    });

    private Task SetRoleAsync(string email, string role) => ActAsync(async (accounts, actor) =>
    {
        await accounts.SetRoleAsync(email, role);
        await Audit.RecordAsync(actor, AuditActions.UserRoleChanged, email, role);
    });

    private async Task ActAsync(Func<UserAccounts, AuditActor, Task> act)
    {
        _busy = true;
        _error = null;
        try
        {
            var actor = await Access.DemandAdminAsync();
            await using var scope = Scopes.CreateAsyncScope();
            await act(scope.ServiceProvider.GetRequiredService<UserAccounts>(), actor);
            await LoadAsync();
        }
        catch (Exception error) when (error is UserAccountException or AccessDeniedException)
        {
            _error = error.Message;
        }
        finally
        {
            _busy = false;
        }
    }

    private async Task LoadAsync()
    {
        await using var scope = Scopes.CreateAsyncScope();
        _users = await scope.ServiceProvider.GetRequiredService<UserAccounts>().ListAsync(CancellationToken.None);
    }
}
