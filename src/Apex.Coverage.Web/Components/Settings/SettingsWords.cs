using Apex.Coverage.Web.Access;
using Apex.Coverage.Web.Alerts;
using Apex.Coverage.Web.ApiTokens;
using Apex.Coverage.Web.Audit;

namespace Apex.Coverage.Web.Components.Settings;

/// <summary>
/// The settings pages' words for the names the API and the database keep: token scopes, roles,
/// audit actions and who acted, webhook formats and delivery states (their dates: <see cref="TimeWords"/>).
/// The codes stay in data- attributes and titles, where scripts and engineers read them.
/// </summary>
public static class SettingsWords
{
    public static string Scope(string scope) => scope switch
    {
        ApiTokenScopes.ResultsWrite => "Upload CI results",
        ApiTokenScopes.RunsWrite => "Start and cancel runs",
        ApiTokenScopes.AlertsWrite => "Manage alert webhooks",
        _ => scope,
    };

    public static string Scopes(IEnumerable<string> scopes) => string.Join(", ", scopes.Select(Scope));

    public static string Role(string? role) => role switch
    {
        DashboardRoles.Viewer => "Viewer",
        DashboardRoles.Runner => "Runner",
        DashboardRoles.Admin => "Admin",
        null => "No role",
        _ => role,
    };

    public static string Action(string action) => action switch
    {
        AuditActions.RunStarted => "Started a run",
        AuditActions.RunCanceled => "Canceled a run",
        AuditActions.RunRerun => "Ran a run again",
        AuditActions.TestQuarantined => "Quarantined a test",
        AuditActions.TestReleased => "Released a test from quarantine",
        AuditActions.TokenCreated => "Made an API token",
        AuditActions.TokenRevoked => "Revoked an API token",
        AuditActions.ScheduleChanged => "Changed a schedule",
        AuditActions.ScheduleTriggered => "A schedule started a run",
        AuditActions.SignedIn => "Signed in",
        AuditActions.SignInFailed => "Failed to sign in",
        AuditActions.SignedOut => "Signed out",
        AuditActions.UserCreated => "Added a user",
        AuditActions.UserRoleChanged => "Changed a user's role",
        _ => action,
    };

    public static string ActorKind(string kind) => kind switch
    {
        ActorKinds.User => "person",
        ActorKinds.Token => "API token",
        ActorKinds.System => "the dashboard",
        ActorKinds.Anonymous => "not signed in",
        _ => kind,
    };

    public static string WebhookFormat(string format) => format switch
    {
        "json" => "JSON",
        "slack" => "Slack",
        "teams" => "Microsoft Teams",
        _ => format,
    };

    /// <summary>A delivery's state as the alerts API names it (<see cref="DeliveryStatus"/>, lower case).</summary>
    public static string Delivery(string status) => status switch
    {
        "pending" => "Sending",
        "delivered" => "Delivered",
        "failed" => "Failed",
        _ => status,
    };
}
