using Xunit.v3;

namespace Apex.Integration.Infrastructure;

/// <summary>
/// The plan's Business Value Justification for a test class, in the four fields its Testing
/// Standards require. Each becomes a trait, so the dashboard can show why the test exists.
/// </summary>
[AttributeUsage(AttributeTargets.Class)]
public sealed class BusinessValueAttribute(string segment, string businessGoal, string valueImpact, string strategicImpact)
    : Attribute, ITraitAttribute
{
    public IReadOnlyCollection<KeyValuePair<string, string>> GetTraits() =>
    [
        new("Segment", segment),
        new("BusinessGoal", businessGoal),
        new("ValueImpact", valueImpact),
        new("StrategicImpact", strategicImpact),
    ];
}
