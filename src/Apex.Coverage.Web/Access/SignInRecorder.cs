using Apex.Coverage.Web.Audit;
using Microsoft.AspNetCore.Identity;

namespace Apex.Coverage.Web.Access;

/// <summary>Puts each sign-in attempt on the audit trail: who, and why it failed when it did.</summary>
public sealed class SignInRecorder(AuditTrail audit)
{
    public Task RecordAsync(string email, SignInResult result, string method = "password") =>
        result.Succeeded
            ? audit.RecordAsync(AuditActor.User(email), AuditActions.SignedIn, email, method)
            : RecordRefusedAsync(email, method, Reason(result));

    /// <summary>A refusal with its reason, e.g. a provider's sign-in whose role claim maps to no role.</summary>
    public Task RecordRefusedAsync(string? who, string method, string reason) =>
        who is null
            ? audit.RecordAsync(new AuditActor("anonymous", ActorKinds.Anonymous), AuditActions.SignInFailed, null, $"{method}: {reason}")
            : audit.RecordAsync(AuditActor.User(who), AuditActions.SignInFailed, who, $"{method}: {reason}");

    private static string Reason(SignInResult result) =>
        result.IsLockedOut ? "locked out" : result.IsNotAllowed ? "not allowed" : "wrong e-mail or password";
}
