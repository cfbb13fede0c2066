using System.Collections.Concurrent;
using Apex.Coverage.Web.Runs;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Apex.Coverage.Tests.Runs;

/// <summary>Keeps the lines the dashboard's run executor logs, so a test can read a run's timeline as an operator would.</summary>
public sealed class RunLog : ILoggerProvider
{
    private readonly ConcurrentQueue<string> _lines = new();

    public ILogger CreateLogger(string categoryName) =>
        categoryName == typeof(RunExecutor).FullName ? new Logger(_lines) : NullLogger.Instance;

    /// <summary>The phases of run <paramref name="runId"/>'s timeline line in the order logged ("claimed", ...), or null before it is logged.</summary>
    public IReadOnlyList<string>? TimelineOf(long runId)
    {
        var prefix = $"Run {runId} timeline (ms since the request): ";
        var line = _lines.FirstOrDefault(l => l.StartsWith(prefix, StringComparison.Ordinal));
        // "claimed 12, session started 340, ..." → the names without their milliseconds.
        return line?[prefix.Length..].Split(", ").Select(mark => mark[..mark.LastIndexOf(' ')]).ToList();
    }

    public void Dispose()
    {
    }

    private sealed class Logger(ConcurrentQueue<string> lines) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Information;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (IsEnabled(logLevel)) lines.Enqueue(formatter(state, exception));
        }
    }
}
