using System.Text.Json;
using System.Text.Json.Nodes;
using Apex.Coverage.Web.VsTest;
using Microsoft.VisualStudio.TestPlatform.ObjectModel;
using Microsoft.VisualStudio.TestPlatform.ObjectModel.Logging;

namespace Apex.Coverage.Web.TestingPlatform;

/// <summary>
/// One Microsoft.Testing.Platform test app in server mode, used for one discovery or one run: the
/// JSON-RPC protocol IDEs use (`initialize`, `testing/discoverTests`, `testing/runTests`, test-node
/// updates per test, `$/cancelRequest`, `exit`). Stopping a run asks the app to cancel first and
/// kills it after the grace period, since a cancel does not stop a hung test — as for VSTest.
/// </summary>
public sealed class TestingPlatformSession : IAsyncDisposable
{
    private readonly string _assembly;
    private readonly TestAppProcess _app;
    private JsonRpcConnection _connection = null!;
    private JsonRpcConnection? _controller;
    private Action<JsonElement>? _updates;
    private Action<TestMessageLevel, string>? _log;

    private TestingPlatformSession(string assembly, TestAppProcess app) => (_assembly, _app) = (assembly, app);

    public static async Task<TestingPlatformSession> StartAsync(string assembly, IReadOnlyDictionary<string, string> environment,
        TimeSpan connectTimeout, CancellationToken cancellationToken, TestAppOptions? options = null)
    {
        var app = await TestAppProcess.StartAsync(assembly, environment, connectTimeout, cancellationToken, options);
        var session = new TestingPlatformSession(assembly, app);
        session._connection = new JsonRpcConnection(app.Client!.GetStream(), session.OnNotification);
        try
        {
            if (!await session.InitializeAsync(cancellationToken))
            {
                // A test host controller (an extension such as coverlet's runs in it): the tests run in the
                // test host it starts next, which connects on its own; the session is that connection's.
                session._controller = session._connection;
                var host = await app.AcceptTestHostAsync(connectTimeout, cancellationToken);
                session._connection = new JsonRpcConnection(host.GetStream(), session.OnNotification);
                await session.InitializeAsync(cancellationToken);
            }

            return session;
        }
        catch
        {
            await session.DisposeAsync();
            throw;
        }
    }

    /// <summary>Initializes the connection; false when the other side is a test host controller (it cannot discover tests).</summary>
    private async Task<bool> InitializeAsync(CancellationToken cancellationToken)
    {
        var initializing = _connection.RequestAsync("initialize", new JsonObject
        {
            ["processId"] = Environment.ProcessId,
            ["clientInfo"] = new JsonObject { ["name"] = "apex-coverage", ["version"] = "1.0.0" },
            ["capabilities"] = new JsonObject { ["testing"] = new JsonObject { ["debuggerProvider"] = false } },
        });
        try
        {
            var answer = await initializing.WaitAsync(cancellationToken);
            return !(answer.ValueKind == JsonValueKind.Object && answer.TryGetProperty("capabilities", out var capabilities)
                && capabilities.ValueKind == JsonValueKind.Object && capabilities.TryGetProperty("testing", out var testing)
                && testing.ValueKind == JsonValueKind.Object && testing.TryGetProperty("supportsDiscovery", out var discovers)
                && discovers.ValueKind == JsonValueKind.False);
        }
        catch (Exception error) when (error is ConnectionLostException or JsonRpcErrorException)
        {
            throw new TestAppStartException($"did not accept the server-mode handshake ({error.Message}){_app.Said()}");
        }
    }

    public async Task<DiscoveryOutcome> DiscoverAsync(CancellationToken cancellationToken)
    {
        var tests = new List<TestCase>();
        var errors = new List<string>();
        _updates = changes => tests.AddRange(Nodes(changes).Where(n => n.IsAction).Select(n => n.ToTestCase(_assembly)));
        _log = (level, message) => { if (level == TestMessageLevel.Error) errors.Add(message); };
        try
        {
            await _connection.RequestAsync("testing/discoverTests", new JsonObject { ["runId"] = Guid.NewGuid() }).WaitAsync(cancellationToken);
            return new DiscoveryOutcome(tests, errors, false);
        }
        catch (Exception error) when (error is ConnectionLostException or JsonRpcErrorException)
        {
            var code = await _app.ExitCodeAsync(TimeSpan.FromSeconds(5));
            errors.Add($"The test app {(code is null ? "failed" : $"exited with code {code}")} during discovery: {error.Message}{_app.Said()}");
            return new DiscoveryOutcome(tests, errors, true);
        }
    }

    /// <summary>Runs the tests with these node uids (all when null), reporting each result as it lands.</summary>
    public async Task<VsTestRunCompletion> RunAsync(IReadOnlyList<string>? uids, ITestRunObserver observer, TimeSpan grace, CancellationToken stop)
    {
        var tracker = new RunTracker(_assembly, observer);
        _updates = tracker.OnChanges;
        _log = observer.OnLog;
        var parameters = new JsonObject { ["runId"] = Guid.NewGuid() };
        if (uids is not null)
        {
            parameters["tests"] = new JsonArray([.. uids.Select(uid => (JsonNode)new JsonObject { ["uid"] = uid, ["display-name"] = uid, ["node-type"] = "action" })]);
        }

        long requestId = 0;
        var running = _connection.RequestAsync("testing/runTests", parameters, id => Volatile.Write(ref requestId, id));
        var stopRequested = new TaskCompletionSource();
        await using (stop.Register(stopRequested.SetResult))
        {
            if (await Task.WhenAny(running, stopRequested.Task) == running)
            {
                return new VsTestRunCompletion(await EndOfAsync(running), false, false);
            }
        }

        return await StopAsync(running, Volatile.Read(ref requestId), grace);
    }

    private async Task<VsTestRunCompletion> StopAsync(Task running, long requestId, TimeSpan grace)
    {
        await IgnoringLostConnection(_connection.NotifyAsync("$/cancelRequest", new JsonObject { ["id"] = requestId }));
        if (await EndsWithinAsync(running, grace))
        {
            return new VsTestRunCompletion(await EndOfAsync(running), false, false);
        }

        _app.Kill();
        if (await EndsWithinAsync(running, grace))
        {
            return new VsTestRunCompletion(await EndOfAsync(running), true, false);
        }

        return new VsTestRunCompletion(new VsTestRunEnd(true, true, "The test app did not end when it was killed."), true, true);
    }

    private static async Task<bool> EndsWithinAsync(Task running, TimeSpan grace) =>
        await Task.WhenAny(running, Task.Delay(grace)) == running;

    // The answer to runTests comes after every update of the run (one ordered stream), so the
    // tracker has seen every result by now; an app that died on the way never answers.
    private async Task<VsTestRunEnd> EndOfAsync(Task running)
    {
        try
        {
            await running;
            return new VsTestRunEnd(false, false, null);
        }
        catch (ConnectionLostException)
        {
            var code = await _app.ExitCodeAsync(TimeSpan.FromSeconds(5));
            return new VsTestRunEnd(true, false, $"The test app {(code is null ? "closed its connection" : $"exited with code {code}")} before the run ended{_app.Said()}.");
        }
        catch (JsonRpcErrorException error)
        {
            return new VsTestRunEnd(true, false, $"The test app could not run the tests: {error.Message}");
        }
    }

    private void OnNotification(string method, JsonElement parameters)
    {
        switch (method)
        {
            case "testing/testUpdates/tests" when parameters.ValueKind == JsonValueKind.Object
                && parameters.TryGetProperty("changes", out var changes) && changes.ValueKind == JsonValueKind.Array:
                _updates?.Invoke(changes);
                break;
            case "client/log" when parameters.ValueKind == JsonValueKind.Object:
                var level = parameters.TryGetProperty("level", out var l) ? l.GetString() : null;
                var message = parameters.TryGetProperty("message", out var m) ? m.GetString() : null;
                if (message is not null && level is "Error" or "Critical")
                {
                    _log?.Invoke(TestMessageLevel.Error, message);
                }

                break;
        }
    }

    internal static IEnumerable<TestNodeUpdate> Nodes(JsonElement changes) =>
        changes.EnumerateArray()
            .Where(c => c.ValueKind == JsonValueKind.Object && c.TryGetProperty("node", out var n) && n.ValueKind == JsonValueKind.Object)
            .Select(c => TestNodeUpdate.Parse(c.GetProperty("node")));

    private static async Task IgnoringLostConnection(Task sending)
    {
        try
        {
            await sending;
        }
        catch (ConnectionLostException)
        {
            // The app is gone already: nothing left to cancel.
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (!_app.HasExited && _connection is not null)
        {
            await IgnoringLostConnection(_connection.NotifyAsync("exit", []));
        }

        await _app.DisposeAsync();
        if (_connection is not null)
        {
            await _connection.DisposeAsync();
        }

        if (_controller is not null)
        {
            await _controller.DisposeAsync();
        }
    }
}

/// <summary>
/// Turns a run's test-node updates into what the recorder expects from VSTest: finished tests as
/// results, and the tests in progress (what a crash takes down). Called on the connection's read loop.
/// </summary>
internal sealed class RunTracker(string assembly, ITestRunObserver observer)
{
    private readonly Dictionary<string, TestCase> _cases = new(StringComparer.Ordinal);
    private readonly Dictionary<string, TestCase> _inProgress = new(StringComparer.Ordinal);

    public void OnChanges(JsonElement changes)
    {
        var results = new List<Microsoft.VisualStudio.TestPlatform.ObjectModel.TestResult>();
        foreach (var node in TestingPlatformSession.Nodes(changes).Where(n => n.IsAction))
        {
            if (!_cases.TryGetValue(node.Uid, out var test))
            {
                test = _cases[node.Uid] = node.ToTestCase(assembly);
            }

            if (node.IsInProgress)
            {
                _inProgress[node.Uid] = test;
            }
            else if (node.IsFinished)
            {
                _inProgress.Remove(node.Uid);
                results.Add(node.ToResult(test));
            }
        }

        observer.OnProgress(results, [.. _inProgress.Values]);
    }
}
