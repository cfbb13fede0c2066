namespace Apex.Integration.Infrastructure;

/// <summary>
/// The configuration of one platform instance under test: its own database and key prefix, the
/// shared token keys, and where the fakes of external systems listen.
/// </summary>
public sealed record PlatformSettings(string PostgresConnectionString, string RedisConnectionString, string RedisKeyPrefix)
{
    public const string SigningKey = "integration-tests-signing-key-0123456789abcdef";

    public string[] Services { get; init; } = [];

    public string Issuer { get; init; } = "apex-auth";

    public string Audience { get; init; } = "apex-platform";

    /// <summary>Further settings by configuration key, e.g. "Platform:OAuth:BaseUrl".</summary>
    public IReadOnlyDictionary<string, string?> Extra { get; init; } = new Dictionary<string, string?>();

    public IEnumerable<KeyValuePair<string, string?>> ToConfiguration()
    {
        var values = new Dictionary<string, string?>
        {
            ["Platform:Postgres:ConnectionString"] = PostgresConnectionString,
            ["Platform:Redis:ConnectionString"] = RedisConnectionString,
            ["Platform:Redis:KeyPrefix"] = RedisKeyPrefix,
            ["Platform:Auth:Issuer"] = Issuer,
            ["Platform:Auth:Audience"] = Audience,
            ["Platform:Auth:SigningKey"] = SigningKey,
        };
        for (var i = 0; i < Services.Length; i++) values[$"Platform:Services:{i}"] = Services[i];
        foreach (var (key, value) in Extra) values[key] = value;
        return values;
    }
}
