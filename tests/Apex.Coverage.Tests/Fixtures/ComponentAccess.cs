using Apex.Coverage.Web.Access;
using Apex.Coverage.Web.Audit;
using Apex.Coverage.Web.Data;
using Bunit;
using Bunit.TestDoubles;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Apex.Coverage.Tests.Fixtures;

/// <summary>
/// For component tests (bUnit renders a component without a host, so there is no sign-in to go
/// through): bUnit's authentication state for a user of one role, and the app's own
/// <see cref="DashboardAccess"/> and <see cref="AuditTrail"/> on the test's database. The role rules
/// themselves are the app's; only who is signed in is given. HTTP and browser tests sign in for real (<see cref="SignIn"/>).
/// </summary>
public static class ComponentAccess
{
    public static BunitAuthorizationContext SignInAs(this BunitContext context, string? role, IDbContextFactory<CoverageDbContext> database, string name = "dana")
    {
        var authorization = context.AddAuthorization();
        if (role is not null)
        {
            authorization.SetAuthorized(name);
            authorization.SetRoles(role);
        }

        context.Services.AddSingleton(Options.Create(new AccessOptions()));
        context.Services.AddScoped<DashboardAccess>();
        context.Services.AddSingleton(new AuditTrail(database, TimeProvider.System));
        return authorization;
    }
}
