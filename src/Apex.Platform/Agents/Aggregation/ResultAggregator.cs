using System.Globalization;
using System.Text.RegularExpressions;

namespace Apex.Platform.Agents.Aggregation;

/// <summary>How a conflict between sub-agents' answers is settled; the policy is stated in the result.</summary>
public enum ConflictPolicy
{
    /// <summary>The answer with the highest confidence wins.</summary>
    Confidence,

    /// <summary>The answer most sub-agents gave wins; a tie is settled by confidence, and says so.</summary>
    Majority,

    /// <summary>The answer of the first source in the configured priority list wins.</summary>
    SourcePriority,
}

/// <summary>One sub-agent's answer to the shared question, with how sure it is (0..1).</summary>
public sealed record SubAgentAnswer(string Agent, string Answer, double Confidence);

/// <summary>The merged result: the chosen answer, whether the sub-agents disagreed, and why this one won.</summary>
public sealed record AggregatedResult(
    string Answer, ConflictPolicy Policy, bool Conflict, string Reason,
    IReadOnlyList<string> Supporting, IReadOnlyList<SubAgentAnswer> Dissenting, IReadOnlyList<string> Failed, string Formatted);

/// <summary>
/// Merges the answers of several sub-agents to one question. Answers that differ only in case,
/// spacing or numeric form ("0.30" and "0.3") agree; different ones are a conflict, settled by
/// the stated policy. Pure: storage of the conflict is the caller's.
/// </summary>
public static partial class ResultAggregator
{
    public static AggregatedResult Aggregate(
        IReadOnlyList<SubAgentAnswer> answers, ConflictPolicy policy, IReadOnlyList<string> sourcePriority, IReadOnlyList<string> failed)
    {
        if (answers.Count == 0)
        {
            throw new InvalidOperationException($"No sub-agent answered; failed: {string.Join(", ", failed)}.");
        }

        var groups = answers.GroupBy(a => Normalise(a.Answer)).ToList();
        var (winner, reason) = groups.Count == 1
            ? (groups[0].Key, "all sub-agents agree")
            : Settle(groups, policy, sourcePriority);
        var supporting = groups.Single(g => g.Key == winner).ToList();
        var dissenting = answers.Where(a => Normalise(a.Answer) != winner).ToList();
        var answer = supporting.MaxBy(a => a.Confidence)!.Answer.Trim();
        var formatted = Format(answer, policy, reason, supporting, dissenting, failed);
        return new AggregatedResult(answer, policy, groups.Count > 1, reason, [.. supporting.Select(a => a.Agent)], dissenting, failed, formatted);
    }

    private static (string Winner, string Reason) Settle(List<IGrouping<string, SubAgentAnswer>> groups, ConflictPolicy policy, IReadOnlyList<string> sourcePriority) =>
        policy switch
        {
            ConflictPolicy.Majority => ByMajority(groups),
            ConflictPolicy.SourcePriority => BySource(groups, sourcePriority),
            _ => ByConfidence(groups, "highest confidence"),
        };

    private static (string, string) ByMajority(List<IGrouping<string, SubAgentAnswer>> groups)
    {
        var top = groups.Max(g => g.Count());
        var leaders = groups.Where(g => g.Count() == top).ToList();
        return leaders.Count == 1
            ? (leaders[0].Key, string.Create(CultureInfo.InvariantCulture, $"majority: {top} of {groups.Sum(g => g.Count())} sub-agents"))
            : ByConfidence(leaders, string.Create(CultureInfo.InvariantCulture, $"majority tied at {top}; settled by highest confidence"));
    }

    private static (string, string) BySource(List<IGrouping<string, SubAgentAnswer>> groups, IReadOnlyList<string> sourcePriority)
    {
        foreach (var source in sourcePriority)
        {
            if (groups.FirstOrDefault(g => g.Any(a => a.Agent == source)) is { } group)
            {
                return (group.Key, $"source priority: '{source}' ranks first among the answering sub-agents");
            }
        }

        return ByConfidence(groups, "no answering sub-agent is in the source priority list; settled by highest confidence");
    }

    private static (string, string) ByConfidence(IEnumerable<IGrouping<string, SubAgentAnswer>> groups, string reason) =>
        (groups.OrderByDescending(g => g.Max(a => a.Confidence)).ThenBy(g => g.Key, StringComparer.Ordinal).First().Key, reason);

    private static string Format(string answer, ConflictPolicy policy, string reason, List<SubAgentAnswer> supporting, List<SubAgentAnswer> dissenting, IReadOnlyList<string> failed)
    {
        var lines = new List<string> { $"Answer: {answer}", $"Supported by: {string.Join(", ", supporting.Select(a => a.Agent))}" };
        if (dissenting.Count > 0)
        {
            lines.Add($"Conflict settled by {policy} ({reason}); overruled: {string.Join(", ", dissenting.Select(a => $"{a.Agent}={a.Answer.Trim()}"))}");
        }

        if (failed.Count > 0) lines.Add($"Not answered: {string.Join(", ", failed)}");
        return string.Join('\n', lines);
    }

    /// <summary>The form two answers are compared in: numbers by value, text without case or extra spaces.</summary>
    public static string Normalise(string answer)
    {
        var text = Spaces().Replace(answer.Trim(), " ").ToLowerInvariant();
        return decimal.TryParse(text, NumberStyles.Number, CultureInfo.InvariantCulture, out var number)
            ? number.ToString("G29", CultureInfo.InvariantCulture)
            : text;
    }

    [GeneratedRegex(@"\s+")]
    private static partial Regex Spaces();
}
