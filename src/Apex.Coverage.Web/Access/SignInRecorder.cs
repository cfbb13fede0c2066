using Apex.Coverage.Web.Audit;
using Microsoft.AspNetCore.Identity;

namespace Apex.Coverage.Web.Access;

/// <summary>Puts each sign-in attempt on the audit trail: who, and why it failed when it did.</summary>
public sealed class SignInRecorder(AuditTrail audit)
{
    public Task RecordAsync(string email, SignInResult result, string method = "password") =>
        result.Succeeded
            ? audit.RecordAsync(AuditActor.User(email), AuditActions.SignedIn, email, method)
            : audit.RecordAsync(AuditActor.User(email), AuditActions.SignInFailed, email, $"{method}: {Reason(result)}");

    private static string Reason(SignInResult result) =>
        result.IsLockedOut ? "locked out" : result.IsNotAllowed ? "not allowed" : "wrong e-mail or password";
}
