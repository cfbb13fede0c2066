using System.ComponentModel.DataAnnotations;
using System.Text.Json;
using Apex.Platform.Caching;
using Microsoft.Extensions.FileProviders;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Primitives;
using StackExchange.Redis;

namespace Apex.Platform.Agents.Configuration;

/// <summary>What operators tune on a running platform, from a JSON file; new runs use the current version.</summary>
public sealed class AgentRuntimeOptions
{
    /// <summary>The supervisor's system instructions; null keeps the built-in ones.</summary>
    [StringLength(8_000, MinimumLength = 10, ErrorMessage = "instructions must be 10 to 8,000 characters.")]
    public string? Instructions { get; set; }

    /// <summary>Tools not offered to the model in new runs (e.g. one whose backend misbehaves).</summary>
    public List<string> DisabledTools { get; set; } = [];

    /// <summary>A counter the operator raises with each change; shown back, so a change can be confirmed.</summary>
    [Range(0, int.MaxValue, ErrorMessage = "version must be 0 or more.")]
    public int Version { get; set; }
}

public sealed class AgentConfigFileOptions
{
    public const string SectionName = "Platform:Agents:ConfigFile";

    /// <summary>The JSON file watched for changes; unset: the built-in defaults, no watching.</summary>
    public string? Path { get; set; }
}

public sealed record ConfigRejection(string Reason, DateTimeOffset At);

public sealed record ConfigStatus(AgentRuntimeOptions Current, DateTimeOffset? AppliedAt, ConfigRejection? LastRejection);

/// <summary>
/// Watches the agent configuration file. A change is parsed and validated (its own rules, and
/// every disabled tool must exist); a valid one becomes the value of
/// <see cref="IOptionsMonitor{AgentRuntimeOptions}"/> for new runs, and is announced to its
/// OnChange subscribers and on Redis for other instances; an invalid one is refused with the
/// reason and the last good configuration stays.
/// </summary>
public sealed class AgentConfigWatcher(
    IOptions<AgentConfigFileOptions> file, ToolRegistry tools, IConnectionMultiplexer redis, RedisKeys keys, TimeProvider time, ILogger<AgentConfigWatcher> logger)
    : IHostedService, IConfigureOptions<AgentRuntimeOptions>, IOptionsChangeTokenSource<AgentRuntimeOptions>
{
    public const string ChangedChannel = "agents:config-changed";

    private readonly Lock _gate = new();
    private AgentRuntimeOptions _current = new();
    private DateTimeOffset? _appliedAt;
    private ConfigRejection? _lastRejection;
    private ConfigurationReloadToken _token = new();
    private PhysicalFileProvider? _provider;
    private IDisposable? _watch;

    public string? Name => Options.DefaultName;

    public ConfigStatus Status
    {
        get
        {
            lock (_gate) return new ConfigStatus(_current, _appliedAt, _lastRejection);
        }
    }

    public IChangeToken GetChangeToken()
    {
        lock (_gate) return _token;
    }

    public void Configure(AgentRuntimeOptions options)
    {
        lock (_gate)
        {
            options.Instructions = _current.Instructions;
            options.DisabledTools = [.. _current.DisabledTools];
            options.Version = _current.Version;
        }
    }

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        if (file.Value.Path is not { } path) return;
        var full = System.IO.Path.GetFullPath(path);
        _provider = new PhysicalFileProvider(System.IO.Path.GetDirectoryName(full)!);
        await ReloadAsync();
        Watch(System.IO.Path.GetFileName(full));
    }

    public Task StopAsync(CancellationToken cancellationToken)
    {
        _watch?.Dispose();
        _provider?.Dispose();
        return Task.CompletedTask;
    }

    /// <summary>Reads, validates and applies the file now; answers the reason when it is refused.</summary>
    public async Task<string?> ReloadAsync()
    {
        var (candidate, problem) = Read(file.Value.Path!);
        if (problem is not null)
        {
            logger.LogWarning("Agent configuration change refused, the last good one stays: {Problem}", problem);
            lock (_gate) _lastRejection = new ConfigRejection(problem, time.GetUtcNow());
            return problem;
        }

        ConfigurationReloadToken previous;
        lock (_gate)
        {
            _current = candidate!;
            _appliedAt = time.GetUtcNow();
            previous = _token;
            _token = new ConfigurationReloadToken();
        }

        previous.OnReload();
        await redis.GetSubscriber().PublishAsync(keys.Channel(ChangedChannel), candidate!.Version);
        return null;
    }

    private void Watch(string fileName)
    {
        _watch = ChangeToken.OnChange(() => _provider!.Watch(fileName), () => _ = ReloadSafelyAsync());
    }

    private async Task ReloadSafelyAsync()
    {
        try
        {
            await ReloadAsync();
        }
        catch (Exception exception)
        {
            logger.LogError(exception, "Agent configuration reload failed");
        }
    }

    private (AgentRuntimeOptions?, string?) Read(string path)
    {
        AgentRuntimeOptions? candidate;
        try
        {
            candidate = JsonSerializer.Deserialize<AgentRuntimeOptions>(File.ReadAllText(path), JsonSerializerOptions.Web);
        }
        catch (Exception exception) when (exception is JsonException or IOException)
        {
            return (null, $"{System.IO.Path.GetFileName(path)} cannot be read: {exception.Message}");
        }

        if (candidate is null) return (null, $"{System.IO.Path.GetFileName(path)} is empty.");
        var results = new List<ValidationResult>();
        Validator.TryValidateObject(candidate, new ValidationContext(candidate), results, validateAllProperties: true);
        var problems = results.Select(r => r.ErrorMessage!).ToList();
        problems.AddRange(candidate.DisabledTools.Where(t => tools.Find(t) is null).Select(t => $"disabledTools names '{t}', which is not a loaded tool"));
        return problems.Count == 0 ? (candidate, null) : (null, string.Join("; ", problems));
    }
}
