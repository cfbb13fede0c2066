using System.ComponentModel.DataAnnotations;
using System.Text.Json;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Options;
using Microsoft.ML.Tokenizers;

namespace Apex.Platform.Agents.Context;

public sealed class ContextWindowOptions
{
    public const string SectionName = "Platform:Agents:Context";

    /// <summary>Context window in tokens by model name; a model not listed gets <see cref="DefaultWindow"/>.</summary>
    public Dictionary<string, int> Windows { get; set; } = new(StringComparer.OrdinalIgnoreCase);

    [Range(256, 10_000_000, ErrorMessage = "Platform:Agents:Context:DefaultWindow must be between 256 and 10,000,000 tokens.")]
    public int DefaultWindow { get; set; } = 128_000;

    /// <summary>Tokens kept free for the model's answer.</summary>
    [Range(0, 1_000_000, ErrorMessage = "Platform:Agents:Context:ReservedForOutput must be between 0 and 1,000,000.")]
    public int ReservedForOutput { get; set; } = 4_096;
}

/// <summary>A part of the conversation that was left out to fit the window.</summary>
public sealed record DroppedPart(string Kind, int Messages, int Tokens, string Preview);

public sealed record ContextFit(IList<ChatMessage> Messages, int Budget, int TokensBefore, int TokensAfter, IReadOnlyList<DroppedPart> Dropped);

/// <summary>The conversation cannot fit even with everything optional dropped.</summary>
public sealed class ContextWindowExceededException(string message) : Exception(message);

/// <summary>
/// Sizes a conversation with the model's real tokenizer (o200k_base, shipped with the platform) and
/// trims it by priority to fit the model's window. Kept always: the system instructions, the
/// user's goal (the first user message) and the latest turn. Dropped first: the oldest turns, a
/// turn being an assistant message with the tool results that answer it, so a tool call is never
/// left without its result (providers refuse that).
/// </summary>
public sealed class ContextWindowManager(IOptions<ContextWindowOptions> options)
{
    // Per-message framing tokens of the chat format (role, separators).
    private const int MessageOverhead = 4;
    private static readonly Lazy<Tokenizer> Tokenizer = new(() => TiktokenTokenizer.CreateForEncoding("o200k_base"));

    public int WindowOf(string model) => options.Value.Windows.TryGetValue(model, out var window) ? window : options.Value.DefaultWindow;

    public int Count(ChatMessage message) => MessageOverhead + Tokenizer.Value.CountTokens(TextOf(message));

    public int Count(IEnumerable<ChatMessage> messages) => messages.Sum(Count);

    public ContextFit Fit(IList<ChatMessage> messages, string model)
    {
        var budget = WindowOf(model) - options.Value.ReservedForOutput;
        var turns = Turns(messages);
        var sizes = turns.Select(t => t.Sum(Count)).ToList();
        var before = sizes.Sum();
        var dropped = new List<DroppedPart>();
        var keep = turns.Select(_ => true).ToArray();
        var total = before;
        // Turns 0 (instructions and goal) and the last are pinned; the rest go oldest first.
        for (var i = 1; i < turns.Count - 1 && total > budget; i++)
        {
            keep[i] = false;
            total -= sizes[i];
            dropped.Add(new DroppedPart(KindOf(turns[i]), turns[i].Count, sizes[i], Preview(turns[i])));
        }

        if (total > budget)
        {
            throw new ContextWindowExceededException(
                $"The conversation needs {total} tokens even without its optional parts; {model} allows {budget} ({WindowOf(model)} minus {options.Value.ReservedForOutput} kept for the answer).");
        }

        return new ContextFit([.. turns.Where((_, i) => keep[i]).SelectMany(t => t)], budget, before, total, dropped);
    }

    /// <summary>Turn 0: every message up to and including the first user message; then each assistant message with what follows it.</summary>
    private static List<List<ChatMessage>> Turns(IList<ChatMessage> messages)
    {
        var firstUser = messages.ToList().FindIndex(m => m.Role == ChatRole.User);
        var turns = new List<List<ChatMessage>> { messages.Take(firstUser + 1).ToList() };
        foreach (var message in messages.Skip(firstUser + 1))
        {
            if (message.Role == ChatRole.Tool && turns.Count > 1) turns[^1].Add(message);
            else turns.Add([message]);
        }

        return turns;
    }

    private static string KindOf(List<ChatMessage> turn) =>
        turn.Any(m => m.Role == ChatRole.Tool) ? "tool_round" : turn[0].Role.Value;

    private static string Preview(List<ChatMessage> turn)
    {
        var text = string.Join(" | ", turn.Select(TextOf));
        return text.Length <= 80 ? text : text[..80];
    }

    private static string TextOf(ChatMessage message) => string.Concat(message.Contents.Select(content => content switch
    {
        TextContent text => text.Text,
        FunctionCallContent call => $"{call.Name}({JsonSerializer.Serialize(call.Arguments)})",
        FunctionResultContent result => result.Result?.ToString() ?? string.Empty,
        _ => string.Empty,
    }));
}
