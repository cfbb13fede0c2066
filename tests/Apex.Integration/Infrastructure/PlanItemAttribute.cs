using Xunit.v3;

namespace Apex.Integration.Infrastructure;

/// <summary>
/// Ties a test class (or method) to a numbered item of plan/L2_TEST_PLAN.md. It surfaces as the
/// trait PlanId=n, which is how the dashboard maps discovered tests and posted results to the plan.
/// </summary>
[AttributeUsage(AttributeTargets.Class | AttributeTargets.Method, AllowMultiple = true)]
public sealed class PlanItemAttribute(int number) : Attribute, ITraitAttribute
{
    public const string TraitName = "PlanId";

    public int Number { get; } = number > 0 ? number : throw new ArgumentOutOfRangeException(nameof(number), "Plan items are numbered from 1.");

    public IReadOnlyCollection<KeyValuePair<string, string>> GetTraits() =>
        [new(TraitName, Number.ToString(System.Globalization.CultureInfo.InvariantCulture))];
}
