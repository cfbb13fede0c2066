using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;

namespace Apex.Coverage.Web.Access;

public sealed record UserSummary(string Email, string? Role, bool LockedOut, bool External);

/// <summary>Thrown for an account request a person must change; the message says what (Identity's own words).</summary>
public sealed class UserAccountException(string message) : Exception(message);

/// <summary>
/// Local accounts and their one role, through Identity's <see cref="UserManager{TUser}"/> (its
/// password rules, hashing and lockout). The CLI, the users page and the tests all make users here.
/// </summary>
public sealed class UserAccounts(UserManager<DashboardUser> users, RoleManager<IdentityRole> roles, TimeProvider time)
{
    public async Task CreateAsync(string email, string password, string role)
    {
        var user = new DashboardUser { UserName = email.Trim(), Email = email.Trim(), EmailConfirmed = true };
        RequireRole(role);
        Check(await users.CreateAsync(user, password));
        await SetRoleAsync(user, role);
    }

    /// <summary>Finds or makes the account of a person the OIDC provider signed in, with the provider's role.</summary>
    public async Task<DashboardUser> LinkExternalAsync(UserLoginInfo login, string email, string role)
    {
        var user = await users.FindByLoginAsync(login.LoginProvider, login.ProviderKey);
        if (user is null)
        {
            user = await users.FindByEmailAsync(email) ?? new DashboardUser { UserName = email, Email = email, EmailConfirmed = true };
            if (user.Id is null || await users.FindByIdAsync(user.Id) is null)
            {
                Check(await users.CreateAsync(user));
            }

            Check(await users.AddLoginAsync(user, login));
        }

        await SetRoleAsync(user, role);
        return user;
    }

    public async Task<IReadOnlyList<UserSummary>> ListAsync(CancellationToken cancellationToken)
    {
        var all = await users.Users.AsNoTracking().OrderBy(u => u.Email).ToListAsync(cancellationToken);
        var list = new List<UserSummary>(all.Count);
        foreach (var user in all)
        {
            var role = DashboardRoles.All.LastOrDefault((await users.GetRolesAsync(user)).Contains);
            var external = (await users.GetLoginsAsync(user)).Count > 0;
            list.Add(new UserSummary(user.Email ?? user.UserName ?? user.Id, role, user.LockoutEnd > time.GetUtcNow(), external));
        }

        return list;
    }

    /// <summary>Gives the user of <paramref name="email"/> exactly <paramref name="role"/>.</summary>
    public async Task SetRoleAsync(string email, string role)
    {
        RequireRole(role);
        var user = await users.FindByEmailAsync(email) ?? throw new UserAccountException($"No user has the e-mail \"{email}\".");
        await SetRoleAsync(user, role);
    }

    private async Task SetRoleAsync(DashboardUser user, string role)
    {
        RequireRole(role);
        if (!await roles.RoleExistsAsync(role))
        {
            // Two first sign-ins at once may both try; the loser finds the role made.
            var made = await roles.CreateAsync(new IdentityRole(role));
            if (!made.Succeeded && !await roles.RoleExistsAsync(role))
            {
                Check(made);
            }
        }

        var current = await users.GetRolesAsync(user);
        if (current.Count == 1 && current[0] == role)
        {
            return;
        }

        Check(await users.RemoveFromRolesAsync(user, current));
        Check(await users.AddToRoleAsync(user, role));
    }

    private static void RequireRole(string role)
    {
        if (!DashboardRoles.IsKnown(role))
        {
            throw new UserAccountException($"The role must be viewer, runner or admin; \"{role}\" is not.");
        }
    }

    private static void Check(IdentityResult result)
    {
        if (!result.Succeeded)
        {
            throw new UserAccountException(string.Join(" ", result.Errors.Select(e => e.Description)));
        }
    }
}
