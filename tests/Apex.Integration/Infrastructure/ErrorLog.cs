using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace Apex.Integration.Infrastructure;

/// <summary>
/// Keeps what a platform instance logs at Error or above (an unhandled exception behind a 500, a
/// hosted service that died), so a test that gets an unexpected answer can say why in its message.
/// Bounded: the newest <see cref="Capacity"/> entries.
/// </summary>
public sealed class ErrorLog : ILoggerProvider
{
    public const int Capacity = 50;

    private readonly ConcurrentQueue<string> _entries = new();

    public IReadOnlyCollection<string> Entries => _entries;

    public override string ToString() =>
        _entries.IsEmpty ? "(the platform logged no error)" : "Platform errors:\n" + string.Join("\n", _entries);

    public ILogger CreateLogger(string categoryName) => new Logger(this, categoryName);

    public void Dispose()
    {
    }

    private void Add(string entry)
    {
        _entries.Enqueue(entry);
        while (_entries.Count > Capacity) _entries.TryDequeue(out _);
    }

    private sealed class Logger(ErrorLog log, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Error;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (IsEnabled(logLevel)) log.Add($"{DateTime.UtcNow:HH:mm:ss.fff} {logLevel} {category}: {formatter(state, exception)}\n{exception}");
        }
    }
}
