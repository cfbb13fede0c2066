using Apex.Platform.Auth.Sessions;
using Apex.Platform.Auth.SignIn;
using Microsoft.Extensions.Options;

namespace Apex.Platform.Auth.Passwords;

/// <summary>
/// Email and password accounts, and their recovery: a reset link by email that works once, for a
/// limited time, and ends every session of the account when used.
/// </summary>
public static class PasswordEndpoints
{
    public static IEndpointRouteBuilder MapPasswords(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/auth/password");
        group.MapPost("/register", RegisterAsync);
        group.MapPost("/login", LoginAsync);
        group.MapPost("/forgot", ForgotAsync);
        group.MapPost("/reset", ResetAsync);
        return app;
    }

    private static async Task<IResult> RegisterAsync(Registration body, HttpContext http, PasswordStore passwords, UserDirectory users, SignInFlow flow, IOptions<PasswordOptions> options)
    {
        var email = body.Email?.Trim().ToLowerInvariant() ?? string.Empty;
        var errors = Validate(body.Password, options.Value);
        if (!email.Contains('@', StringComparison.Ordinal)) errors["email"] = ["An email address is required."];
        if (errors.Count > 0) return TypedResults.ValidationProblem(errors);
        if (await passwords.ExistsAsync(email, http.RequestAborted))
        {
            return TypedResults.Problem("An account with this email already exists; sign in or reset its password.", statusCode: StatusCodes.Status409Conflict);
        }

        var user = await users.UpsertFromProviderAsync("password", new ExternalIdentity(email, email, body.Name ?? email), http.RequestAborted);
        await passwords.CreateAsync(user.Id, email, body.Password!, http.RequestAborted);
        return (await flow.ContinueAsync(user, SignInFlow.DeviceOf(http), http.RequestAborted)).ToResult();
    }

    private static async Task<IResult> LoginAsync(Credentials body, HttpContext http, PasswordStore passwords, UserDirectory users, SignInFlow flow)
    {
        var email = body.Email.Trim().ToLowerInvariant();
        if (await passwords.VerifyAsync(email, body.Password, http.RequestAborted) is not { } userId
            || await users.FindAsync(userId, http.RequestAborted) is not { } user)
        {
            return TypedResults.Problem("The email or the password is wrong.", statusCode: StatusCodes.Status401Unauthorized, title: "Sign-in failed");
        }

        return (await flow.ContinueAsync(user, SignInFlow.DeviceOf(http), http.RequestAborted)).ToResult();
    }

    /// <summary>Always 202, known address or not, so the answer never tells who has an account.</summary>
    private static async Task<IResult> ForgotAsync(ForgotBody body, HttpContext http, PasswordStore passwords, EmailClient email, IOptions<PasswordOptions> options)
    {
        if (!email.Configured) return TypedResults.Problem("Password reset by email is not configured.", statusCode: StatusCodes.Status503ServiceUnavailable);
        var settings = options.Value;
        var address = body.Email.Trim().ToLowerInvariant();
        if (await passwords.IssueResetTokenAsync(address, settings.ResetTokenLifetime, http.RequestAborted) is { } issued)
        {
            var link = $"{settings.ResetPageUrl}?token={Uri.EscapeDataString(issued.Token)}";
            await email.SendAsync(address, "Reset your Apex password",
                $"Someone asked to reset the password of your Apex account. If it was you, open {link} within {settings.ResetTokenLifetime.TotalMinutes:0} minutes. The link works once.",
                http.RequestAborted);
        }

        return TypedResults.Accepted((string?)null);
    }

    private static async Task<IResult> ResetAsync(ResetBody body, HttpContext http, PasswordStore passwords, UserDirectory users, SessionManager sessions,
        EmailClient email, IOptions<PasswordOptions> options)
    {
        var errors = Validate(body.NewPassword, options.Value);
        if (errors.Count > 0) return TypedResults.ValidationProblem(errors);
        var (result, userId) = await passwords.ResetAsync(body.Token ?? string.Empty, body.NewPassword!, http.RequestAborted);
        if (result != ResetResult.Done)
        {
            return TypedResults.Problem(result switch
            {
                ResetResult.Expired => "This reset link has expired; ask for a new one.",
                ResetResult.Used => "This reset link was already used; ask for a new one.",
                _ => "This reset link is not valid.",
            }, statusCode: StatusCodes.Status400BadRequest, title: "Password not reset", extensions: new Dictionary<string, object?> { ["reason"] = result.ToString().ToLowerInvariant() });
        }

        var user = (await users.FindAsync(userId, http.RequestAborted))!;
        await sessions.EndAllAsync(user, "password-reset");
        await email.SendAsync(user.Email, "Your Apex password was changed", "Your password was just changed and every device was signed out.", http.RequestAborted);
        return TypedResults.NoContent();
    }

    private static Dictionary<string, string[]> Validate(string? password, PasswordOptions options) =>
        password is { Length: var length } && length >= options.MinimumLength
            ? []
            : new() { ["password"] = [$"A password needs at least {options.MinimumLength} characters."] };

    public sealed record Registration(string? Email, string? Name, string? Password);

    public sealed record Credentials(string Email, string Password);

    public sealed record ForgotBody(string Email);

    public sealed record ResetBody(string? Token, string? NewPassword);
}
