using System.Security.Claims;
using Apex.Coverage.Web.ApiTokens;

namespace Apex.Coverage.Web.Audit;

/// <summary>Who did it, as the trail records it.</summary>
public sealed record AuditActor(string Name, string Kind)
{
    public static readonly AuditActor Cli = new("cli", ActorKinds.System);
    public static readonly AuditActor Schedule = new("schedule", ActorKinds.System);

    public static AuditActor Token(string name) => new(name, ActorKinds.Token);

    public static AuditActor User(string email) => new(email, ActorKinds.User);

    /// <summary>The signed-in user or API token of <paramref name="principal"/>; "anonymous" when nobody.</summary>
    public static AuditActor Of(ClaimsPrincipal principal) =>
        principal.Identity is { IsAuthenticated: true, Name: { } name }
            ? new AuditActor(name, ApiTokenClaims.IsToken(principal) ? ActorKinds.Token : ActorKinds.User)
            : new AuditActor("anonymous", ActorKinds.Anonymous);
}
