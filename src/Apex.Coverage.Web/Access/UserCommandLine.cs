using Apex.Coverage.Web.Audit;

namespace Apex.Coverage.Web.Access;

/// <summary>
/// `dotnet Apex.Coverage.Web.dll users create --email E --role R` (the password is the first line
/// of stdin, so it stays out of the shell history and the process list), `users list`, and
/// `users role --email E --role R`; run from the repo root. This is how the first admin is made.
/// </summary>
public static class UserCommandLine
{
    private const string Usage = "usage: users create --email EMAIL --role viewer|runner|admin  (password on stdin) | users list | users role --email EMAIL --role ROLE";

    /// <summary>Runs the command when <paramref name="args"/> starts with "users"; false otherwise.</summary>
    public static async Task<bool> TryRunAsync(string[] args)
    {
        if (args.Length == 0 || args[0] != "users")
        {
            return false;
        }

        Environment.ExitCode = await RunAsync(args, Console.In, Console.Out, Console.Error);
        return true;
    }

    public static async Task<int> RunAsync(string[] args, TextReader input, TextWriter output, TextWriter error)
    {
        var verb = args.Length > 1 ? args[1] : null;
        var email = CommandLineHost.ValueOf(args, "--email");
        var role = CommandLineHost.ValueOf(args, "--role");
        if (verb is not ("create" or "list" or "role") || (verb != "list" && (email is null || role is null)))
        {
            await error.WriteLineAsync(Usage);
            return 2;
        }

        using var host = CommandLineHost.Build(args);
        await host.StartAsync();
        try
        {
            await using var scope = host.Services.CreateAsyncScope();
            var accounts = scope.ServiceProvider.GetRequiredService<UserAccounts>();
            var audit = scope.ServiceProvider.GetRequiredService<AuditTrail>();
            return verb switch
            {
                "create" => await CreateAsync(accounts, audit, email!, role!, input, output, error),
                "role" => await SetRoleAsync(accounts, audit, email!, role!, output, error),
                _ => await ListAsync(accounts, output),
            };
        }
        finally
        {
            await host.StopAsync();
        }
    }

    private static async Task<int> CreateAsync(UserAccounts accounts, AuditTrail audit, string email, string role, TextReader input, TextWriter output, TextWriter error)
    {
        var password = await input.ReadLineAsync();
        if (string.IsNullOrEmpty(password))
        {
            await error.WriteLineAsync("Give the password on stdin, for example: read -rs P && echo \"$P\" | dotnet Apex.Coverage.Web.dll users create ...");
            return 2;
        }

        return await TryAsync(async () =>
        {
            await accounts.CreateAsync(email, password, role);
            await audit.RecordAsync(AuditActor.Cli, AuditActions.UserCreated, email, role);
            await output.WriteLineAsync($"Created user {email} with role {role}. Sign in at /account/login.");
        }, error);
    }

    private static Task<int> SetRoleAsync(UserAccounts accounts, AuditTrail audit, string email, string role, TextWriter output, TextWriter error) =>
        TryAsync(async () =>
        {
            await accounts.SetRoleAsync(email, role);
            await audit.RecordAsync(AuditActor.Cli, AuditActions.UserRoleChanged, email, role);
            await output.WriteLineAsync($"{email} is now {role}.");
        }, error);

    private static async Task<int> ListAsync(UserAccounts accounts, TextWriter output)
    {
        var users = await accounts.ListAsync(CancellationToken.None);
        if (users.Count == 0)
        {
            await output.WriteLineAsync("No users yet. Make the first admin with: users create --email you@example.com --role admin");
        }

        foreach (var user in users)
        {
            await output.WriteLineAsync($"{user.Email}\t{user.Role ?? "no role"}{(user.LockedOut ? "\tlocked out" : "")}{(user.External ? "\tsingle sign-on" : "")}");
        }

        return 0;
    }

    private static async Task<int> TryAsync(Func<Task> act, TextWriter error)
    {
        try
        {
            await act();
            return 0;
        }
        catch (UserAccountException ex)
        {
            await error.WriteLineAsync(ex.Message);
            return 1;
        }
    }
}
