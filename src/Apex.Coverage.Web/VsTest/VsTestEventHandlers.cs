using Apex.Coverage.Web.Results;
using Microsoft.VisualStudio.TestPlatform.ObjectModel;
using Microsoft.VisualStudio.TestPlatform.ObjectModel.Client;
using Microsoft.VisualStudio.TestPlatform.ObjectModel.Logging;
using VsTestResult = Microsoft.VisualStudio.TestPlatform.ObjectModel.TestResult;

namespace Apex.Coverage.Web.VsTest;

/// <summary>What a run reports while it runs; called on the translation layer's own thread.</summary>
public interface ITestRunObserver
{
    void OnProgress(IEnumerable<VsTestResult> results, IEnumerable<TestCase>? activeTests);

    void OnLog(TestMessageLevel level, string message);
}

/// <summary>How the translation layer said a run ended.</summary>
public sealed record VsTestRunEnd(bool IsAborted, bool IsCanceled, string? Error)
{
    /// <summary>The local paths of the files data collectors attached (a coverage report).</summary>
    public IReadOnlyList<string> Attachments { get; init; } = [];
}

/// <summary>Forwards a run's events to an observer and remembers how it ended; nothing more.</summary>
internal sealed class RunEventsHandler(ITestRunObserver observer) : ITestRunEventsHandler
{
    private VsTestRunEnd? _end;

    /// <summary>Set by the completion event; null while the run goes on or when it never came.</summary>
    public VsTestRunEnd? End => Volatile.Read(ref _end);

    public void HandleTestRunStatsChange(TestRunChangedEventArgs? testRunChangedArgs)
    {
        if (testRunChangedArgs is not null)
        {
            observer.OnProgress(testRunChangedArgs.NewTestResults ?? [], testRunChangedArgs.ActiveTests);
        }
    }

    public void HandleTestRunComplete(TestRunCompleteEventArgs testRunCompleteArgs, TestRunChangedEventArgs? lastChunkArgs,
        ICollection<AttachmentSet>? runContextAttachments, ICollection<string>? executorUris)
    {
        HandleTestRunStatsChange(lastChunkArgs);
        Volatile.Write(ref _end, new VsTestRunEnd(testRunCompleteArgs.IsAborted, testRunCompleteArgs.IsCanceled, testRunCompleteArgs.Error?.Message)
        {
            Attachments = AttachedFiles(testRunCompleteArgs.AttachmentSets, runContextAttachments),
        });
    }

    private static List<string> AttachedFiles(params ICollection<AttachmentSet>?[] sets) =>
        [.. sets.OfType<ICollection<AttachmentSet>>().SelectMany(s => s).SelectMany(s => s.Attachments)
            .Where(a => a.Uri.IsFile).Select(a => a.Uri.LocalPath).Distinct(StringComparer.Ordinal)];

    public void HandleLogMessage(TestMessageLevel level, string? message)
    {
        if (message is not null)
        {
            observer.OnLog(level, message);
        }
    }

    public void HandleRawMessage(string rawMessage)
    {
    }

    public int LaunchProcessWithDebuggerAttached(TestProcessStartInfo testProcessStartInfo) => -1;
}

/// <summary>Collects discovered test cases and the discovery's errors.</summary>
internal sealed class DiscoveryEventsHandler : ITestDiscoveryEventsHandler2
{
    private readonly List<TestCase> _tests = [];
    private readonly List<string> _errors = [];

    public IReadOnlyList<TestCase> Tests => _tests;

    public IReadOnlyList<string> Errors => _errors;

    public bool IsAborted { get; private set; }

    public void HandleDiscoveredTests(IEnumerable<TestCase>? discoveredTestCases) => _tests.AddRange(discoveredTestCases ?? []);

    public void HandleDiscoveryComplete(DiscoveryCompleteEventArgs discoveryCompleteEventArgs, IEnumerable<TestCase>? lastChunk)
    {
        _tests.AddRange(lastChunk ?? []);
        IsAborted = discoveryCompleteEventArgs.IsAborted;
    }

    public void HandleLogMessage(TestMessageLevel level, string? message)
    {
        if (level == TestMessageLevel.Error && message is not null)
        {
            _errors.Add(message);
        }
    }

    public void HandleRawMessage(string rawMessage)
    {
    }
}
