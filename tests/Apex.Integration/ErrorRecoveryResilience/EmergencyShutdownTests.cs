using System.Net;
using System.Net.Http.Json;
using Apex.Integration.Authentication;
using Apex.Integration.ErrorRecoveryResilience.Support;
using Apex.Integration.Fakes;
using Apex.Integration.Infrastructure;
using Apex.Platform.Resilience.Shutdown;
using static Apex.Integration.ErrorRecoveryResilience.Support.ResilienceApi;

namespace Apex.Integration.ErrorRecoveryResilience;

/// <summary>
/// Plan item 95: two instances of the jobs service share PostgreSQL and Redis. A tenant admin
/// (signed in through the real OAuth login) pulls the kill switch on one instance; both stop
/// intake at once, the job in flight on the other finishes the unit it is doing and is saved as
/// suspended. After the switch is released and that instance is restarted, the job resumes from
/// its saved cursor: every unit applied exactly once. Time is the shared fake clock; units take 1 s.
/// </summary>
[PlanItem(95)]
[BusinessValue("All tiers", "An incident can be stopped everywhere in one move without losing or repeating work",
    "Damage control worth $7K MRR incident management", "A safe, resumable stop turns a runaway incident into a pause")]
public sealed class EmergencyShutdownTests(PostgresServer postgres, RedisServer redis) : IAsyncLifetime
{
    private readonly ObservedClock _clock = new();
    private readonly Dictionary<string, string?> _settings = [];
    private FakeOAuthProvider _identity = null!;
    private string _database = string.Empty;
    private string _prefix = string.Empty;
    private PlatformInstance _worker = null!;
    private PlatformInstance _console = null!;

    public async ValueTask InitializeAsync()
    {
        _identity = await FakeOAuthProvider.StartNewAsync();
        foreach (var (key, value) in AuthApi.OAuthSettings(_identity)) _settings[key] = value;
        _settings["Platform:Resilience:Shutdown:UnitDuration"] = "00:00:01";
        _database = await postgres.CreateDatabaseAsync(nameof(EmergencyShutdownTests));
        _prefix = RedisServer.NewKeyPrefix("item95");
        _worker = await StartServiceAsync(_database, redis.ConnectionString, _prefix, "jobs", _clock, _settings, "auth", "resilience");
        _console = await StartServiceAsync(_database, redis.ConnectionString, _prefix, "jobs", _clock, _settings, "auth", "resilience");
    }

    public async ValueTask DisposeAsync()
    {
        await _console.DisposeAsync();
        await _worker.DisposeAsync();
        await _identity.DisposeAsync();
    }

    [Fact]
    public async Task KillSwitch_StopsIntakeEverywhere_DrainsAndSavesTheJob_AndARestartResumesItExactlyOnce()
    {
        var admin = (await AuthApi.SignInAsync(_console, _identity, "incident-lead@shutdown.test")).AccessToken;
        var job = await SubmitWithFourUnitsDoneAsync();

        using var engaged = await AuthApi.SendAsync(_console, HttpMethod.Post, "resilience/emergency/shutdown", admin, new ShutdownEndpoints.ShutdownRequest("runaway billing job"));
        await Eventually.TrueAsync(async () => !(await StatusAsync(_worker)).IntakeOpen && !(await StatusAsync(_console)).IntakeOpen);
        using var refused = await _worker.Client.PostAsJsonAsync("resilience/jobs", new ShutdownEndpoints.JobRequest(3), Cancel);
        _clock.Advance(TimeSpan.FromSeconds(1));
        await Eventually.TrueAsync(async () => (await JobAsync(job)).Status == "suspended");
        var saved = await JobAsync(job);

        await _worker.DisposeAsync();
        using var released = await AuthApi.SendAsync(_console, HttpMethod.Post, "resilience/emergency/release", admin);
        _worker = await StartServiceAsync(_database, redis.ConnectionString, _prefix, "jobs", _clock, _settings, "auth", "resilience");
        for (var unit = 5; unit < 10; unit++) await CompleteUnitAsync();
        await Eventually.TrueAsync(async () => (await JobAsync(job)).Status == "done");
        var finished = await JobAsync(job);

        Assert.Equal(HttpStatusCode.Accepted, engaged.StatusCode);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, refused.StatusCode);
        Assert.Contains("runaway billing job", await refused.DetailAsync(), StringComparison.Ordinal);
        Assert.Equal((5, "suspended"), (saved.NextUnit, saved.Status));
        Assert.Equal([1, 1, 1, 1, 1], saved.AppliedCounts);
        Assert.Equal(HttpStatusCode.Accepted, released.StatusCode);
        Assert.Equal((10, "done"), (finished.NextUnit, finished.Status));
        Assert.Equal(Enumerable.Repeat(1, 10), finished.AppliedCounts);
    }

    [Fact]
    public async Task KillSwitch_IsRefused_ToAMemberWhoIsNotATenantAdmin()
    {
        await AuthApi.SignInAsync(_console, _identity, "owner@refused.test");
        var member = (await AuthApi.SignInAsync(_console, _identity, "member@refused.test")).AccessToken;

        using var response = await AuthApi.SendAsync(_console, HttpMethod.Post, "resilience/emergency/shutdown", member, new ShutdownEndpoints.ShutdownRequest("curious"));
        var status = await StatusAsync(_worker);

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.True(status.IntakeOpen);
    }

    private int _unitTimers;

    /// <summary>Lets one unit's second pass once the worker is waiting on it (its timer exists).</summary>
    /// <summary>A ten-unit job with four units applied and the fifth waiting on its timer.</summary>
    private async Task<Guid> SubmitWithFourUnitsDoneAsync()
    {
        var job = await SubmitAsync(_worker, units: 10);
        for (var unit = 0; unit < 4; unit++) await CompleteUnitAsync();
        await Eventually.TrueAsync(async () => (await JobAsync(job)).NextUnit == 4);
        await WaitForUnitTimerAsync(5);
        return job;
    }

    private async Task CompleteUnitAsync()
    {
        await WaitForUnitTimerAsync(++_unitTimers);
        _clock.Advance(TimeSpan.FromSeconds(1));
    }

    private async Task WaitForUnitTimerAsync(int count)
    {
        _unitTimers = Math.Max(_unitTimers, count);
        await Eventually.TrueAsync(() => Task.FromResult(_clock.TimersCreated >= count));
    }

    private static async Task<Guid> SubmitAsync(PlatformInstance service, int units)
    {
        using var response = await service.Client.PostAsJsonAsync("resilience/jobs", new ShutdownEndpoints.JobRequest(units), Cancel);
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        return (await response.ReadJsonAsync<ShutdownEndpoints.JobAccepted>()).Id;
    }

    private async Task<JobView> JobAsync(Guid id) => (await _console.GetJsonAsync<JobView>($"resilience/jobs/{id}")).Body;

    private static async Task<ShutdownEndpoints.EmergencyStatus> StatusAsync(PlatformInstance service) =>
        (await service.GetJsonAsync<ShutdownEndpoints.EmergencyStatus>("resilience/emergency/status")).Body;
}
