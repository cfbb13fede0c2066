using System.ComponentModel.DataAnnotations;

namespace Apex.Platform.Caching;

public sealed class RedisOptions
{
    public const string SectionName = "Platform:Redis";

    [Required(ErrorMessage = "Platform:Redis:ConnectionString is required (host:port).")]
    public string ConnectionString { get; set; } = string.Empty;

    /// <summary>Prepended to every key and channel, so several platforms (or tests) share one Redis.</summary>
    public string KeyPrefix { get; set; } = "apex:";
}
