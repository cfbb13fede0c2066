using Microsoft.AspNetCore.Http.HttpResults;

namespace Apex.Platform.Auth.Permissions;

public static class PermissionEndpoints
{
    public const string ManageMembers = "members:manage";
    private static readonly object GrantKey = new();

    /// <summary>The caller's access, resolved once per request and shared by middleware and endpoint.</summary>
    public static async Task<AccessGrant> AccessAsync(this HttpContext http)
    {
        if (http.Items.TryGetValue(GrantKey, out var known) && known is AccessGrant grant) return grant;
        var resolved = await http.RequestServices.GetRequiredService<AccessResolver>().ResolveAsync(http.User.ToUserContext(), http.RequestAborted);
        http.Items[GrantKey] = resolved;
        return resolved;
    }

    /// <summary>Authenticated, and the caller's effective permissions include <paramref name="permission"/>.</summary>
    public static TBuilder RequirePermission<TBuilder>(this TBuilder builder, string permission) where TBuilder : IEndpointConventionBuilder
    {
        builder.RequireAuthorization();
        builder.AddEndpointFilter(async (context, next) =>
        {
            try
            {
                var grant = await context.HttpContext.AccessAsync();
                if (!grant.Allows(permission))
                {
                    return TypedResults.Problem($"This needs the '{permission}' permission, which your role '{grant.Role}' and teams do not grant.",
                        statusCode: StatusCodes.Status403Forbidden, title: "Permission required");
                }
            }
            catch (AuthStoreUnavailableException e)
            {
                return Unavailable(e);
            }

            return await next(context);
        });
        return builder;
    }

    public static ProblemHttpResult Unavailable(AuthStoreUnavailableException e) =>
        TypedResults.Problem(e.Message, statusCode: StatusCodes.Status503ServiceUnavailable, title: "Auth store unavailable");

    /// <summary>What every service answers: the caller's access, and whether the auth store circuit is closed.</summary>
    public static IEndpointRouteBuilder MapAccess(this IEndpointRouteBuilder app)
    {
        app.MapGet("/auth/permissions", (Delegate)MyAccessAsync).RequireAuthorization();
        app.MapGet("/health/auth", (AccessResolver resolver) => TypedResults.Ok(new { authStore = resolver.AuthStoreCircuit.ToString().ToLowerInvariant() }));
        return app;
    }

    /// <summary>Tenant admins manage roles, teams and team rules; every change takes effect everywhere at once.</summary>
    public static IEndpointRouteBuilder MapPermissionAdmin(this IEndpointRouteBuilder app)
    {
        var admin = app.MapGroup("/auth/admin").RequirePermission(ManageMembers);
        admin.MapPut("/users/{userId:guid}/role", SetRoleAsync);
        admin.MapPost("/teams", CreateTeamAsync);
        admin.MapPut("/teams/{teamId:guid}/parent", (Guid teamId, TeamParent body, HttpContext http, PermissionStore store, AccessResolver access) =>
            ApplyAsync(http, access, t => store.SetParentAsync(t, teamId, body.ParentId, http.RequestAborted)));
        admin.MapPut("/teams/{teamId:guid}/members/{userId:guid}", (Guid teamId, Guid userId, HttpContext http, PermissionStore store, AccessResolver access) =>
            ApplyAsync(http, access, t => store.SetMemberAsync(t, teamId, userId, true, http.RequestAborted)));
        admin.MapDelete("/teams/{teamId:guid}/members/{userId:guid}", (Guid teamId, Guid userId, HttpContext http, PermissionStore store, AccessResolver access) =>
            ApplyAsync(http, access, t => store.SetMemberAsync(t, teamId, userId, false, http.RequestAborted)));
        admin.MapPut("/teams/{teamId:guid}/rules/{permission}", SetRuleAsync);
        admin.MapDelete("/teams/{teamId:guid}/rules/{permission}", (Guid teamId, string permission, HttpContext http, PermissionStore store, AccessResolver access) =>
            ApplyAsync(http, access, t => store.SetRuleAsync(t, teamId, permission, null, http.RequestAborted)));
        return app;
    }

    private static async Task<Results<Ok<MyAccess>, ProblemHttpResult>> MyAccessAsync(HttpContext http)
    {
        try
        {
            var grant = await http.AccessAsync();
            return TypedResults.Ok(new MyAccess(http.User.ToUserContext().UserId, grant.Role, grant.Tier, grant.Permissions, grant.Source.ToString().ToLowerInvariant()));
        }
        catch (AuthStoreUnavailableException e)
        {
            return Unavailable(e);
        }
    }

    private static async Task<IResult> SetRoleAsync(Guid userId, RoleChange body, HttpContext http, PermissionStore store, AccessResolver access)
    {
        if (!PermissionSchema.Roles.Split(',').Contains(body.Role))
        {
            return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["role"] = [$"The role must be one of {PermissionSchema.Roles}."] });
        }

        return await ApplyAsync(http, access, t => store.SetRoleAsync(t, userId, body.Role, http.RequestAborted));
    }

    private static async Task<IResult> CreateTeamAsync(NewTeam body, HttpContext http, PermissionStore store, AccessResolver access)
    {
        if (string.IsNullOrWhiteSpace(body.Name))
        {
            return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["name"] = ["A team needs a name."] });
        }

        var tenant = http.User.ToUserContext().TenantId;
        var id = await store.CreateTeamAsync(tenant, body.Name.Trim(), body.ParentId, http.RequestAborted);
        if (id is null) return TypedResults.Problem("The parent team does not exist in your tenant.", statusCode: StatusCodes.Status404NotFound);
        if (id == Guid.Empty) return TypedResults.Problem($"A team named '{body.Name}' already exists.", statusCode: StatusCodes.Status409Conflict);
        await access.ChangedAsync(tenant);
        return TypedResults.Created($"/auth/admin/teams/{id}", new { id });
    }

    private static async Task<IResult> SetRuleAsync(Guid teamId, string permission, TeamRule body, HttpContext http, PermissionStore store, AccessResolver access)
    {
        if (body.Effect is not ("allow" or "deny"))
        {
            return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["effect"] = ["The effect must be 'allow' or 'deny'."] });
        }

        return await ApplyAsync(http, access, t => store.SetRuleAsync(t, teamId, permission, body.Effect, http.RequestAborted));
    }

    private static async Task<IResult> ApplyAsync(HttpContext http, AccessResolver access, Func<Guid, Task<ChangeResult>> change)
    {
        var tenant = http.User.ToUserContext().TenantId;
        var result = await change(tenant);
        if (result == ChangeResult.Done) await access.ChangedAsync(tenant);
        return result switch
        {
            ChangeResult.Done => TypedResults.NoContent(),
            ChangeResult.NotFound => TypedResults.Problem("No such user or team in your tenant.", statusCode: StatusCodes.Status404NotFound),
            _ => TypedResults.Problem("The change would leave the tenant without an admin, or make a team its own ancestor.", statusCode: StatusCodes.Status409Conflict),
        };
    }

    public sealed record MyAccess(Guid UserId, string Role, string Tier, IReadOnlyList<string> Permissions, string Source);

    public sealed record RoleChange(string Role);

    public sealed record NewTeam(string Name, Guid? ParentId);

    public sealed record TeamParent(Guid? ParentId);

    public sealed record TeamRule(string Effect);
}
