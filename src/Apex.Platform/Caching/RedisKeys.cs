using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace Apex.Platform.Caching;

/// <summary>Builds keys and channels under the configured prefix; the one place the prefix is applied.</summary>
public sealed class RedisKeys(IOptions<RedisOptions> options)
{
    private readonly string _prefix = options.Value.KeyPrefix;

    public RedisKey Key(string name) => _prefix + name;

    public RedisChannel Channel(string name) => RedisChannel.Literal(_prefix + name);
}
