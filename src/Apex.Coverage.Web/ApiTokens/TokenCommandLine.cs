using Apex.Coverage.Web.Data;
using Microsoft.Extensions.Logging.Console;

namespace Apex.Coverage.Web.ApiTokens;

/// <summary>
/// `dotnet Apex.Coverage.Web.dll tokens create|list|revoke [--name NAME]`, run from the repo root:
/// a minimal host with the dashboard's configuration and database (migrated first), no web server.
/// `create` prints the new token alone on its last line, once. Logs go to stderr.
/// </summary>
public static class TokenCommandLine
{
    private const string Usage = "usage: tokens create --name NAME | tokens list | tokens revoke --name NAME";

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
        var name = ValueOf(args, "--name");
        if (verb is not ("create" or "list" or "revoke") || (verb != "list" && name is null))
        {
            await error.WriteLineAsync(Usage);
            return 2;
        }

        using var host = BuildHost(args);
        await host.StartAsync();
        try
        {
            var store = host.Services.GetRequiredService<ApiTokenStore>();
            return await ExecuteAsync(store, verb, name, output, error);
        }
        finally
        {
            await host.StopAsync();
        }
    }

    private static async Task<int> ExecuteAsync(ApiTokenStore store, string verb, string? name, TextWriter output, TextWriter error) =>
        verb switch
        {
            "create" => await CreateAsync(store, name!, output, error),
            "revoke" => await RevokeAsync(store, name!, output, error),
            _ => await ListAsync(store, output),
        };

    private static async Task<int> CreateAsync(ApiTokenStore store, string name, TextWriter output, TextWriter error)
    {
        try
        {
            var created = await store.CreateAsync(name, CancellationToken.None);
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

    private static async Task<int> RevokeAsync(ApiTokenStore store, string name, TextWriter output, TextWriter error)
    {
        if (await store.RevokeAsync(name, CancellationToken.None))
        {
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
            await output.WriteLineAsync($"{token.Name}\t{token.Prefix}…\tcreated {token.CreatedAt:u}\t{state}");
        }

        return 0;
    }

    private static IHost BuildHost(string[] args)
    {
        // Same configuration sources as the web host (appsettings.json of the working directory,
        // environment, command line), so the CLI and the dashboard open the same database.
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings
        {
            Args = args,
            ContentRootPath = Directory.GetCurrentDirectory(),
        });
        builder.Logging.ClearProviders();
        builder.Logging.AddConsole(o => o.LogToStandardErrorThreshold = LogLevel.Trace);
        builder.Logging.AddFilter<ConsoleLoggerProvider>(null, LogLevel.Warning);
        builder.AddApiTokens();
        return builder.Build();
    }

    private static string? ValueOf(string[] args, string option)
    {
        var index = Array.IndexOf(args, option);
        return index >= 0 && index + 1 < args.Length ? args[index + 1] : null;
    }
}
