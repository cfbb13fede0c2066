using System.Text.Json.Nodes;
using Apex.Platform.Agents;

namespace Apex.Integration.AgentOrchestration.ToolPlugins;

// Tools shipped outside the platform, loaded at run time from manifests (plan item 32). They are
// real ISubAgent implementations, found by type name or from this assembly's file.

/// <summary>Version 1: a rough estimate, four characters a token.</summary>
public sealed class TokenEstimatorV1 : ISubAgent
{
    public string Name => "token_estimator";

    public string Description => "Estimated token count of a text.";

    public IReadOnlyList<ToolParameter> Parameters { get; } = [new("text", ToolParameterType.String, "The text")];

    public Task<string> RunAsync(ToolArguments arguments, CancellationToken cancellationToken) =>
        Task.FromResult(new JsonObject { ["tokens"] = (arguments.String("text").Length + 3) / 4, ["estimator"] = "1.0.0" }.ToJsonString());
}

/// <summary>Version 2: the model now matters (and is required), which is why it is a new major version.</summary>
public sealed class TokenEstimatorV2 : ISubAgent
{
    public string Name => "token_estimator";

    public string Description => "Estimated token count of a text for a given model.";

    public IReadOnlyList<ToolParameter> Parameters { get; } =
        [new("text", ToolParameterType.String, "The text"), new("model", ToolParameterType.String, "Model name")];

    public Task<string> RunAsync(ToolArguments arguments, CancellationToken cancellationToken) =>
        Task.FromResult(new JsonObject { ["tokens"] = (arguments.String("text").Length + 2) / 3, ["model"] = arguments.String("model"), ["estimator"] = "2.0.0" }.ToJsonString());
}

/// <summary>Needs cost_calculator to have a price; its manifest says which version it works with.</summary>
public sealed class BudgetCheckTool : ISubAgent
{
    public string Name => "budget_check";

    public string Description => "Whether a cost fits a budget.";

    public IReadOnlyList<ToolParameter> Parameters { get; } =
        [new("cost", ToolParameterType.Number, "Cost", Minimum: 0), new("budget", ToolParameterType.Number, "Budget", Minimum: 0)];

    public Task<string> RunAsync(ToolArguments arguments, CancellationToken cancellationToken) =>
        Task.FromResult(new JsonObject { ["fits"] = arguments.Number("cost") <= arguments.Number("budget") }.ToJsonString());
}

/// <summary>Loaded while the platform runs, after start.</summary>
public sealed class WordCounterTool : ISubAgent
{
    public string Name => "word_counter";

    public string Description => "Number of words in a text.";

    public IReadOnlyList<ToolParameter> Parameters { get; } = [new("text", ToolParameterType.String, "The text")];

    public Task<string> RunAsync(ToolArguments arguments, CancellationToken cancellationToken) =>
        Task.FromResult(new JsonObject { ["words"] = arguments.String("text").Split(' ', StringSplitOptions.RemoveEmptyEntries).Length }.ToJsonString());
}

/// <summary>A service this platform does not provide.</summary>
public interface IExchangeRateFeed
{
    decimal Rate(string currency);
}

public sealed class CurrencyConverterTool(IExchangeRateFeed feed) : ISubAgent
{
    public string Name => "currency_converter";

    public string Description => "Converts an amount to another currency.";

    public IReadOnlyList<ToolParameter> Parameters { get; } = [new("amount", ToolParameterType.Number, "Amount")];

    public Task<string> RunAsync(ToolArguments arguments, CancellationToken cancellationToken) =>
        Task.FromResult(new JsonObject { ["amount"] = arguments.Number("amount") * feed.Rate("EUR") }.ToJsonString());
}

/// <summary>Not a tool at all: a manifest pointing here is a packaging mistake.</summary>
public sealed class NotATool
{
    public string Name => "not_a_tool";
}

/// <summary>
/// Waits until <c>parties</c> calls with the same key have arrived, or fails after five seconds:
/// branches that run one after another can never all arrive, so a workflow of these proves that
/// its parallel branches really ran at the same time.
/// </summary>
public sealed class RendezvousTool : ISubAgent
{
    private static readonly System.Collections.Concurrent.ConcurrentDictionary<string, Meeting> Meetings = new();

    public string Name => "rendezvous";

    public string Description => "Meets the other branches of a parallel step.";

    public IReadOnlyList<ToolParameter> Parameters { get; } =
        [new("key", ToolParameterType.String, "Meeting key"), new("parties", ToolParameterType.Integer, "Branches to meet", Minimum: 1)];

    public async Task<string> RunAsync(ToolArguments arguments, CancellationToken cancellationToken)
    {
        var parties = (int)arguments.Integer("parties");
        var meeting = Meetings.GetOrAdd(arguments.String("key"), _ => new Meeting());
        if (Interlocked.Increment(ref meeting.Arrived) >= parties) meeting.AllThere.TrySetResult();
        try
        {
            await meeting.AllThere.Task.WaitAsync(TimeSpan.FromSeconds(5), cancellationToken);
        }
        catch (TimeoutException)
        {
            throw new TimeoutException($"Only {Volatile.Read(ref meeting.Arrived)} of {parties} branches arrived: they did not run in parallel.");
        }

        return new JsonObject { ["met"] = parties }.ToJsonString();
    }

    private sealed class Meeting
    {
        public int Arrived;

        public TaskCompletionSource AllThere { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }
}
