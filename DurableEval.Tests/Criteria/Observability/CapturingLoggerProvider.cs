using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace DurableEval.Tests.Criteria;

/// <summary>One captured log record: category, level, rendered message, its structured state and every scope property.</summary>
public sealed record CapturedLog(string Category, LogLevel Level, string Message, IReadOnlyDictionary<string, object?> State, IReadOnlyDictionary<string, object?> Scope);

/// <summary>
/// A real Microsoft.Extensions.Logging provider that keeps what it is given. It takes its scopes from the factory's
/// external scope provider (ISupportExternalScope), the way console and OpenTelemetry providers do, so it sees
/// exactly the scopes the SDK opens and whatever the factory adds (activity tracking).
/// </summary>
public sealed class CapturingLoggerProvider : ILoggerProvider, ISupportExternalScope
{
    private readonly ConcurrentQueue<CapturedLog> records = new();
    private IExternalScopeProvider scopes = new LoggerExternalScopeProvider();

    public IReadOnlyList<CapturedLog> Records => records.ToArray();

    public ILogger CreateLogger(string categoryName) => new CapturingLogger(this, categoryName);

    public void SetScopeProvider(IExternalScopeProvider scopeProvider) => scopes = scopeProvider;

    public void Dispose()
    {
    }

    private static void Flatten(object? state, Dictionary<string, object?> into)
    {
        if (state is IEnumerable<KeyValuePair<string, object?>> pairs)
        {
            foreach (var (key, value) in pairs)
            {
                into[key] = value;
            }
        }
        else if (state is IEnumerable<KeyValuePair<string, object>> plain)
        {
            foreach (var (key, value) in plain)
            {
                into[key] = value;
            }
        }
    }

    private sealed class CapturingLogger(CapturingLoggerProvider owner, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => owner.scopes.Push(state);

        public bool IsEnabled(LogLevel logLevel) => logLevel != LogLevel.None;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            var scope = new Dictionary<string, object?>(StringComparer.Ordinal);
            owner.scopes.ForEachScope((s, into) => Flatten(s, into), scope);
            var structured = new Dictionary<string, object?>(StringComparer.Ordinal);
            Flatten(state, structured);
            owner.records.Enqueue(new CapturedLog(category, logLevel, formatter(state, exception), structured, scope));
        }
    }
}
