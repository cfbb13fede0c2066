using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using Apex.Platform.Caching;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace Apex.Platform.Agents.Caching;

public sealed class LlmCacheOptions
{
    public const string SectionName = "Platform:Agents:Cache";

    /// <summary>Off by default: a cached answer is only right where the same prompt deserves the same answer.</summary>
    public bool Enabled { get; set; }

    [System.ComponentModel.DataAnnotations.Range(typeof(TimeSpan), "00:00:01", "30.00:00:00", ErrorMessage = "Platform:Agents:Cache:TimeToLive must be between 1 s and 30 days.")]
    public TimeSpan TimeToLive { get; set; } = TimeSpan.FromHours(1);
}

public sealed record CacheStats(long Hits, long Misses, long Invalidated);

/// <summary>
/// LLM responses in Redis, per tenant, under a hash of the normalised prompt (roles and text with
/// case and runs of white space folded, tool calls and results) within a generation: a hash of the
/// model and the tool set. When either changes, the generation changes and the previous one's
/// entries are deleted. Hits and misses are counted in Redis, so every instance sees the same figures.
/// </summary>
public sealed partial class LlmResponseCache(IConnectionMultiplexer redis, RedisKeys keys, IOptions<LlmCacheOptions> options)
{
    private IDatabase Db => redis.GetDatabase();

    public static string Generation(string model, IEnumerable<string> tools) =>
        Hash($"{model}\n{string.Join(',', tools.Order(StringComparer.Ordinal))}")[..16];

    public static string PromptHash(IEnumerable<ChatMessage> messages) =>
        Hash(string.Join('\n', messages.Select(m => $"{m.Role.Value}:{Normalise(m)}")));

    public async Task<ChatResponse?> GetAsync(Guid tenantId, string generation, string promptHash)
    {
        await RotateAsync(tenantId, generation);
        var value = await Db.StringGetAsync(Entry(tenantId, generation, promptHash));
        await Db.HashIncrementAsync(keys.Key("llmcache:stats"), value.HasValue ? "hits" : "misses");
        return value.HasValue ? JsonSerializer.Deserialize<ChatResponse>(value.ToString(), AIJsonUtilities.DefaultOptions) : null;
    }

    public async Task SetAsync(Guid tenantId, string generation, string promptHash, ChatResponse response) =>
        await Db.StringSetAsync(Entry(tenantId, generation, promptHash), JsonSerializer.Serialize(response, AIJsonUtilities.DefaultOptions), options.Value.TimeToLive);

    public async Task<CacheStats> StatsAsync()
    {
        var values = (await Db.HashGetAllAsync(keys.Key("llmcache:stats"))).ToDictionary(e => e.Name.ToString(), e => (long)e.Value);
        return new CacheStats(values.GetValueOrDefault("hits"), values.GetValueOrDefault("misses"), values.GetValueOrDefault("invalidated"));
    }

    /// <summary>Deletes the entries of a tenant's earlier generation when a call arrives under a new one.</summary>
    private async Task RotateAsync(Guid tenantId, string generation)
    {
        var marker = keys.Key($"llmcache:{tenantId:N}:generation");
        var previous = (string?)await Db.StringGetSetAsync(marker, generation);
        if (previous is null || previous == generation) return;
        var removed = 0L;
        foreach (var server in redis.GetServers().Where(s => !s.IsReplica))
        {
            await foreach (var key in server.KeysAsync(Db.Database, $"{keys.Key($"llmcache:{tenantId:N}:{previous}:")}*"))
            {
                if (await Db.KeyDeleteAsync(key)) removed++;
            }
        }

        await Db.HashIncrementAsync(keys.Key("llmcache:stats"), "invalidated", removed);
    }

    private RedisKey Entry(Guid tenantId, string generation, string promptHash) => keys.Key($"llmcache:{tenantId:N}:{generation}:{promptHash}");

    private static string Normalise(ChatMessage message) => string.Concat(message.Contents.Select(content => content switch
    {
        TextContent text => Spaces().Replace(text.Text.Trim(), " ").ToLowerInvariant(),
        FunctionCallContent call => $"[call {call.Name} {JsonSerializer.Serialize(call.Arguments)}]",
        FunctionResultContent result => $"[result {result.Result}]",
        _ => string.Empty,
    }));

    private static string Hash(string text) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text)));

    [GeneratedRegex(@"\s+")]
    private static partial Regex Spaces();
}
