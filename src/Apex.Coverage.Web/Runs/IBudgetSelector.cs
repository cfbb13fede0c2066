namespace Apex.Coverage.Web.Runs;

/// <summary>
/// Chooses the tests of a suite that protect the most MRR within a time budget. Declared here and
/// implemented by Selection/, which reads the analytics: Runs does not depend on them (ADR 0200).
/// </summary>
public interface IBudgetSelector
{
    /// <summary>The fully qualified names to run, in the order chosen.</summary>
    /// <exception cref="SelectionException">Nothing can be chosen (no plan, no known test, no test fits).</exception>
    Task<IReadOnlyList<string>> SelectAsync(string suite, TimeSpan budget, CancellationToken cancellationToken);
}

/// <summary>Reads the API's budget ("00:05:00"), with an answer a person can act on when it is not one.</summary>
public static class RunBudget
{
    /// <exception cref="SelectionException">The text is not a positive time span.</exception>
    public static TimeSpan? Parse(string? text)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            return null;
        }

        return TimeSpan.TryParse(text.Trim(), System.Globalization.CultureInfo.InvariantCulture, out var budget) && budget > TimeSpan.Zero
            ? budget
            : throw new SelectionException($"The budget '{text}' is not a positive time span; write it as hh:mm:ss, for example \"00:05:00\" for five minutes.");
    }
}
