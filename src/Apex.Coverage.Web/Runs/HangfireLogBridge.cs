using Hangfire.Logging;

namespace Apex.Coverage.Web.Runs;

/// <summary>
/// Hangfire's log provider lives in a process-wide static. Hangfire.AspNetCore's own provider
/// keeps the first host's ILoggerFactory there, so once that host is disposed any Hangfire
/// component created later in the process (another host in the tests, a storage built by hand)
/// throws ObjectDisposedException while asking for a logger. This bridge logs through the host's
/// factory while it lives and goes quiet after, instead of throwing.
/// </summary>
internal sealed class HangfireLogBridge(ILoggerFactory factory) : ILogProvider
{
    public ILog GetLogger(string name)
    {
        try
        {
            return new BridgedLog(factory.CreateLogger(name));
        }
        catch (ObjectDisposedException)
        {
            return new BridgedLog(Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance);
        }
    }

    private sealed class BridgedLog(ILogger logger) : ILog
    {
        public bool Log(Hangfire.Logging.LogLevel logLevel, Func<string>? messageFunc, Exception? exception = null)
        {
            var level = Map(logLevel);
            if (messageFunc is null) return logger.IsEnabled(level);
            try
            {
                logger.Log(level, exception, "{Message}", messageFunc());
            }
            catch (ObjectDisposedException)
            {
                // The host's logging shut down first; nothing left to write to.
            }

            return true;
        }

        private static Microsoft.Extensions.Logging.LogLevel Map(Hangfire.Logging.LogLevel level) => level switch
        {
            Hangfire.Logging.LogLevel.Trace => Microsoft.Extensions.Logging.LogLevel.Trace,
            Hangfire.Logging.LogLevel.Debug => Microsoft.Extensions.Logging.LogLevel.Debug,
            Hangfire.Logging.LogLevel.Info => Microsoft.Extensions.Logging.LogLevel.Information,
            Hangfire.Logging.LogLevel.Warn => Microsoft.Extensions.Logging.LogLevel.Warning,
            Hangfire.Logging.LogLevel.Error => Microsoft.Extensions.Logging.LogLevel.Error,
            _ => Microsoft.Extensions.Logging.LogLevel.Critical,
        };
    }
}
