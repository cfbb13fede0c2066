using Microsoft.Extensions.Logging.Console;

namespace Apex.Coverage.Web.Access;

/// <summary>
/// The host of the app's own commands (<c>tokens ...</c>, <c>users ...</c>): the dashboard's
/// configuration and database (migrated first), the token store, the accounts and the audit
/// trail; no web server. Logs go to stderr so that stdout carries only the answer.
/// </summary>
public static class CommandLineHost
{
    public static IHost Build(string[] args)
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
        builder.AddAccessStore();
        return builder.Build();
    }

    /// <summary>The value after <paramref name="option"/>, or null.</summary>
    public static string? ValueOf(string[] args, string option)
    {
        var index = Array.IndexOf(args, option);
        return index >= 0 && index + 1 < args.Length ? args[index + 1] : null;
    }

    /// <summary>Every value after each <paramref name="option"/> (a repeatable option).</summary>
    public static List<string> ValuesOf(string[] args, string option) =>
        [.. args.Select((a, i) => (a, i)).Where(p => p.a == option && p.i + 1 < args.Length).Select(p => args[p.i + 1])];
}
