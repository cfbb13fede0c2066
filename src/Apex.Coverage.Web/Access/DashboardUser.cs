using Microsoft.AspNetCore.Identity;

namespace Apex.Coverage.Web.Access;

/// <summary>A person who signs in to the dashboard: a local account, or one linked to the OIDC provider.</summary>
public sealed class DashboardUser : IdentityUser;
