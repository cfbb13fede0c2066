using System.Security.Claims;

namespace Apex.Coverage.Web.Access;

/// <summary>
/// The three roles, each including the one before it: a viewer reads; a runner also starts and
/// cancels runs and quarantines tests; an admin also manages tokens, schedules, users and
/// Hangfire's dashboard. A user holds exactly one of them.
/// </summary>
public static class DashboardRoles
{
    public const string Viewer = "viewer";
    public const string Runner = "runner";
    public const string Admin = "admin";

    public static readonly IReadOnlyList<string> All = [Viewer, Runner, Admin];

    public static bool IsKnown(string? role) => role is Viewer or Runner or Admin;

    public static bool CanRun(ClaimsPrincipal user) => user.IsInRole(Runner) || user.IsInRole(Admin);

    public static bool IsAdmin(ClaimsPrincipal user) => user.IsInRole(Admin);

    public static bool HasAny(ClaimsPrincipal user) => All.Any(user.IsInRole);

    /// <summary>The highest role the user holds, or null.</summary>
    public static string? Of(ClaimsPrincipal user) => All.LastOrDefault(user.IsInRole);
}
