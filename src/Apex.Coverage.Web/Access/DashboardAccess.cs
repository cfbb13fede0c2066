using System.Security.Claims;
using Apex.Coverage.Web.Audit;
using Microsoft.AspNetCore.Components.Authorization;
using Microsoft.Extensions.Options;

namespace Apex.Coverage.Web.Access;

/// <summary>Thrown when a component's handler is asked to act for someone whose role does not allow it.</summary>
public sealed class AccessDeniedException(string message) : Exception(message);

/// <summary>
/// What the person on this circuit may do, for components: the markup hides or disables what the
/// role does not allow, and every event handler calls <see cref="DemandRunnerAsync"/> or
/// <see cref="DemandAdminAsync"/> before acting, because a circuit's events can be sent by hand.
/// </summary>
public sealed class DashboardAccess(AuthenticationStateProvider authentication, IOptions<AccessOptions> options)
{
    public async Task<ClaimsPrincipal> UserAsync() => (await authentication.GetAuthenticationStateAsync()).User;

    public async Task<bool> CanReadAsync() => ReadAccess.Allows(await UserAsync(), options.Value.AnonymousRead);

    public async Task<bool> CanRunAsync() => DashboardRoles.CanRun(await UserAsync());

    public async Task<bool> IsAdminAsync() => DashboardRoles.IsAdmin(await UserAsync());

    public async Task<AuditActor> ActorAsync() => AuditActor.Of(await UserAsync());

    /// <summary>The actor, when a runner or admin; throws <see cref="AccessDeniedException"/> otherwise.</summary>
    public async Task<AuditActor> DemandRunnerAsync()
    {
        var user = await UserAsync();
        return DashboardRoles.CanRun(user) ? AuditActor.Of(user) : throw new AccessDeniedException("Only a runner or an admin may do this.");
    }

    /// <summary>The actor, when an admin; throws <see cref="AccessDeniedException"/> otherwise.</summary>
    public async Task<AuditActor> DemandAdminAsync()
    {
        var user = await UserAsync();
        return DashboardRoles.IsAdmin(user) ? AuditActor.Of(user) : throw new AccessDeniedException("Only an admin may do this.");
    }
}
