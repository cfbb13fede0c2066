using System.ComponentModel.DataAnnotations;

namespace Apex.Platform.Auth.RateLimiting;

/// <summary>Requests per window each tier allows by default; operators may change a tier's limit live (Redis).</summary>
public sealed class RateLimitOptions : IValidatableObject
{
    public const string SectionName = "Platform:RateLimits";

    [Range(typeof(TimeSpan), "00:00:01", "1.00:00:00", ErrorMessage = "Platform:RateLimits:Window must be between 1 s and 1 day.")]
    public TimeSpan Window { get; set; } = TimeSpan.FromMinutes(1);

    public Dictionary<string, int> Tiers { get; set; } = new(StringComparer.OrdinalIgnoreCase)
    {
        ["free"] = 300,
        ["pro"] = 1_200,
        ["enterprise"] = 6_000,
    };

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (!Tiers.ContainsKey("free")) yield return new ValidationResult("Platform:RateLimits:Tiers must define the 'free' tier.");
        foreach (var (tier, limit) in Tiers.Where(t => t.Value < 1))
        {
            yield return new ValidationResult($"Platform:RateLimits:Tiers:{tier} must be at least 1 (it is {limit}).");
        }
    }
}
