using System.Security.Claims;
using Apex.Coverage.Web.ApiTokens;
using Microsoft.AspNetCore.Authorization;
using Microsoft.Extensions.Options;

namespace Apex.Coverage.Web.Access;

/// <summary>
/// The policy names every page and endpoint declares: <c>@attribute [Authorize(Policy = AccessPolicies.Run)]</c>
/// on a page, <c>.RequireAuthorization(AccessPolicies.Read)</c> on an endpoint. The rules live in
/// <see cref="DashboardRoles"/> and <see cref="ReadAccess"/>, so a component asks the same question.
/// </summary>
public static class AccessPolicies
{
    /// <summary>Any role, any live API token, or nobody when <c>Auth:AnonymousRead</c> is true.</summary>
    public const string Read = "read";

    /// <summary>runner or admin: start, cancel and re-run runs, quarantine and release tests.</summary>
    public const string Run = "run";

    /// <summary>admin: tokens, schedules, users, the audit trail, Hangfire's dashboard.</summary>
    public const string Admin = "admin";

    /// <summary>An API token with scope <c>results:write</c>.</summary>
    public const string ResultsWrite = ApiTokenScopes.ResultsWrite;

    /// <summary>An API token with scope <c>runs:write</c>.</summary>
    public const string RunsWrite = ApiTokenScopes.RunsWrite;

    /// <summary>Any live API token, whatever its scopes (tokens are made by admins only).</summary>
    public const string AnyToken = "api-token";

    /// <summary>An API token with scope <c>alerts:write</c>: change the alert webhooks.</summary>
    public const string AlertsWrite = ApiTokenScopes.AlertsWrite;

    /// <summary>A signed-in admin, or an API token with scope <c>alerts:write</c>: read the webhooks and their deliveries.</summary>
    public const string AlertsRead = "alerts:read";

    internal static void Add(AuthorizationBuilder authorization) => authorization
        .AddPolicy(Read, p => p.AddRequirements(new ReadAccessRequirement()))
        .AddPolicy(Run, p => p.RequireRole(DashboardRoles.Runner, DashboardRoles.Admin))
        .AddPolicy(Admin, p => p.RequireRole(DashboardRoles.Admin))
        .AddPolicy(ResultsWrite, p => p.RequireClaim(ApiTokenClaims.Scope, ApiTokenScopes.ResultsWrite))
        .AddPolicy(RunsWrite, p => p.RequireClaim(ApiTokenClaims.Scope, ApiTokenScopes.RunsWrite))
        .AddPolicy(AlertsWrite, p => p.RequireClaim(ApiTokenClaims.Scope, ApiTokenScopes.AlertsWrite))
        .AddPolicy(AlertsRead, p => p.RequireAssertion(c => DashboardRoles.IsAdmin(c.User) || c.User.HasClaim(ApiTokenClaims.Scope, ApiTokenScopes.AlertsWrite)))
        .AddPolicy(AnyToken, p => p.RequireAssertion(c => ApiTokenClaims.IsToken(c.User)));
}

/// <summary>Who may read: the one rule for pages, endpoints and components.</summary>
public static class ReadAccess
{
    public static bool Allows(ClaimsPrincipal user, bool anonymousRead) =>
        anonymousRead || DashboardRoles.HasAny(user) || ApiTokenClaims.IsToken(user);
}

internal sealed class ReadAccessRequirement : IAuthorizationRequirement;

internal sealed class ReadAccessHandler(IOptionsMonitor<AccessOptions> options) : AuthorizationHandler<ReadAccessRequirement>
{
    protected override Task HandleRequirementAsync(AuthorizationHandlerContext context, ReadAccessRequirement requirement)
    {
        if (ReadAccess.Allows(context.User, options.CurrentValue.AnonymousRead))
        {
            context.Succeed(requirement);
        }

        return Task.CompletedTask;
    }
}
