using System.Globalization;
using Apex.Coverage.Web.Access;
using Apex.Coverage.Web.Audit;

namespace Apex.Coverage.Web.ApiTokens;

/// <summary>
/// `dotnet Apex.Coverage.Web.dll tokens create|list|revoke [--name NAME]`, run from the repo root
/// (<see cref="CommandLineHost"/>). `create` takes `--scope` (repeatable; both when none is given),
/// `--suite` and `--expires yyyy-MM-dd`, and prints the new token alone on its last line, once.
/// Whoever can run this on the server is an admin; the trail records it as "cli".
/// </summary>
public static class TokenCommandLine
{
    private const string Usage =
        "usage: tokens create --name NAME [--scope results:write] [--scope runs:write] [--scope alerts:write] [--suite SUITE] [--expires yyyy-MM-dd] | tokens list | tokens revoke --name NAME";

    /// <summary>Runs the command when <paramref name="args"/> starts with "tokens"; false otherwise.</summary>
    public static async Task<bool> TryRunAsync(string[] args)
    {
        if (args.Length == 0 || args[0] != "tokens")
        {
            return false;
        }

        Environment.ExitCode = await RunAsync(args, Console.Out, Console.Error);
        return true;
    }

    public static async Task<int> RunAsync(string[] args, TextWriter output, TextWriter error)
    {
        var verb = args.Length > 1 ? args[1] : null;
        var name = CommandLineHost.ValueOf(args, "--name");
        if (verb is not ("create" or "list" or "revoke") || (verb != "list" && name is null))
        {
            await error.WriteLineAsync(Usage);
            return 2;
        }

        using var host = CommandLineHost.Build(args);
        await host.StartAsync();
        try
        {
            var store = host.Services.GetRequiredService<ApiTokenStore>();
            var audit = host.Services.GetRequiredService<AuditTrail>();
            return verb switch
            {
                "create" => await CreateAsync(store, audit, args, name!, output, error),
                "revoke" => await RevokeAsync(store, audit, name!, output, error),
                _ => await ListAsync(store, output),
            };
        }
        finally
        {
            await host.StopAsync();
        }
    }

    private static async Task<int> CreateAsync(ApiTokenStore store, AuditTrail audit, string[] args, string name, TextWriter output, TextWriter error)
    {
        try
        {
            var scopes = CommandLineHost.ValuesOf(args, "--scope");
            var request = new ApiTokenRequest(name, scopes, CommandLineHost.ValueOf(args, "--suite"), Expiry(args), AuditActor.Cli.Name);
            var created = await store.CreateAsync(request, CancellationToken.None);
            await audit.RecordAsync(AuditActor.Cli, AuditActions.TokenCreated, created.Name, string.Join(" ", scopes.Count == 0 ? ApiTokenScopes.All : scopes));
            await output.WriteLineAsync($"Created API token \"{created.Name}\". It is shown once; store it as a CI secret:");
            await output.WriteLineAsync(created.Token);
            return 0;
        }
        catch (ApiTokenException ex)
        {
            await error.WriteLineAsync(ex.Message);
            return 1;
        }
    }

    /// <summary>The end of the given day, UTC; a token "expiring 2027-01-31" works through that day.</summary>
    private static DateTimeOffset? Expiry(string[] args) =>
        CommandLineHost.ValueOf(args, "--expires") is not { } text ? null
        : DateOnly.TryParseExact(text, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var day)
            ? new DateTimeOffset(day.AddDays(1).ToDateTime(TimeOnly.MinValue), TimeSpan.Zero)
            : throw new ApiTokenException($"--expires takes a date as yyyy-MM-dd (for example 2027-01-31); \"{text}\" is not one.");

    private static async Task<int> RevokeAsync(ApiTokenStore store, AuditTrail audit, string name, TextWriter output, TextWriter error)
    {
        if (await store.RevokeAsync(name, CancellationToken.None))
        {
            await audit.RecordAsync(AuditActor.Cli, AuditActions.TokenRevoked, name);
            await output.WriteLineAsync($"Revoked API token \"{name}\".");
            return 0;
        }

        await error.WriteLineAsync($"No live API token is named \"{name}\"; 'tokens list' shows them.");
        return 1;
    }

    private static async Task<int> ListAsync(ApiTokenStore store, TextWriter output)
    {
        var tokens = await store.ListAsync(CancellationToken.None);
        if (tokens.Count == 0)
        {
            await output.WriteLineAsync("No API tokens yet. Make one with: tokens create --name ci");
        }

        foreach (var token in tokens)
        {
            var state = token.RevokedAt is { } revoked ? $"revoked {revoked:u}" : "live";
            var expires = token.ExpiresAt is { } at ? $"expires {at:u}" : "no expiry";
            await output.WriteLineAsync(
                $"{token.Name}\t{token.Prefix}…\t{string.Join(' ', token.Scopes)}\t{token.Suite ?? "any suite"}\tcreated {token.CreatedAt:u}\t{expires}\t{state}");
        }

        return 0;
    }
}
