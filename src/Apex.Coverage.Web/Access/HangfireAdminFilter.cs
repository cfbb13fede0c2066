using Hangfire.Dashboard;

namespace Apex.Coverage.Web.Access;

/// <summary>Hangfire's dashboard (it can delete and re-queue jobs) is for admins only: 401 for nobody, 403 for other roles.</summary>
public sealed class HangfireAdminFilter : IDashboardAuthorizationFilter
{
    public bool Authorize(DashboardContext context) => DashboardRoles.IsAdmin(context.GetHttpContext().User);
}
