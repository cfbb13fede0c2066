using System.Net;
using System.Security.Cryptography;
using System.Text.Json;
using System.Text.RegularExpressions;
using Apex.Integration.Fakes;
using Apex.Integration.Infrastructure;
using Apex.Platform.Auth;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Time.Testing;
using Npgsql;
using static Apex.Integration.Authentication.AuthApi;

namespace Apex.Integration.Authentication;

/// <summary>
/// Plan item 15: a password reset by email. The link arrives in the (fake) email service's outbox;
/// its token is random, stored only hashed, valid for a limited time on the platform clock, and
/// works once, even when redeemed concurrently. Using it retires every other link and signs the
/// account out everywhere. Unknown addresses get the same answer and no email.
/// </summary>
[PlanItem(15)]
[BusinessValue("All tiers", "Self-service account recovery",
    "Account recovery worth $5K MRR support reduction", "Secure self-service recovery cuts support load as the user base grows")]
public sealed partial class PasswordResetTests(PasswordResetTests.Host host) : IClassFixture<PasswordResetTests.Host>
{
    private const string OldPassword = "correct horse battery";
    private const string NewPassword = "staple grows on trees";
    private readonly FakeTimeProvider _clock = host.Clock;
    private readonly FakeEmailOutbox _email = host.Email;
    private readonly PlatformInstance _platform = host.A;
    private readonly string _database = host.Database;

    public sealed class Host(PostgresServer postgres, RedisServer redis) : ClassHost(postgres, redis)
    {
        public FakeEmailOutbox Email { get; private set; } = null!;

        protected override string Owner => "item15";

        protected override async Task<Dictionary<string, string?>> ExtraSettingsAsync()
        {
            Email = Own(await FakeEmailOutbox.StartNewAsync());
            return new()
            {
                ["Platform:Passwords:EmailServiceUrl"] = Email.BaseAddress.ToString(),
                ["Platform:Passwords:ResetPageUrl"] = "https://app.apex.test/reset",
            };
        }
    }

    [Fact]
    public async Task ResetRequest_EmailsALink_WhoseTokenIsStoredOnlyHashed_AndSetsTheNewPassword()
    {
        await RegisterAsync("ann@reset.test");

        var token = await RequestResetAsync("ann@reset.test");
        var reset = await ResetAsync(token, NewPassword);

        Assert.Equal(HttpStatusCode.NoContent, reset.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await LoginAsync("ann@reset.test", OldPassword)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await LoginAsync("ann@reset.test", NewPassword)).StatusCode);
        Assert.Equal(1L, await CountAsync("SELECT count(*) FROM password_reset_tokens WHERE token_hash = $1", SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(token))));
        Assert.Equal(0L, await CountAsync("SELECT count(*) FROM password_reset_tokens WHERE token_hash = convert_to($1, 'UTF8')", token));
        Assert.Equal(["Reset your Apex password", "Your Apex password was changed"], _email.To("ann@reset.test").Select(m => m.Subject));
    }

    [Fact]
    public async Task ResetLink_WorksOnce_EvenWhenRedeemedConcurrently()
    {
        await RegisterAsync("ben@reset.test");
        var token = await RequestResetAsync("ben@reset.test");

        var attempts = await Task.WhenAll(Enumerable.Range(0, 5).Select(i => ResetAsync(token, $"{NewPassword} {i}")));
        var later = await ResetAsync(token, "yet another password");

        Assert.Single(attempts, a => a.StatusCode == HttpStatusCode.NoContent);
        Assert.Equal(HttpStatusCode.BadRequest, later.StatusCode);
        Assert.Equal("used", (await later.ReadAsync<JsonElement>()).GetProperty("reason").GetString());
    }

    [Fact]
    public async Task ResetLink_ExpiresOnThePlatformClock_AndTheOldPasswordStays()
    {
        await RegisterAsync("cy@reset.test");
        var token = await RequestResetAsync("cy@reset.test");

        _clock.Advance(TimeSpan.FromMinutes(31));
        var late = await ResetAsync(token, NewPassword);

        Assert.Equal(HttpStatusCode.BadRequest, late.StatusCode);
        Assert.Equal("expired", (await late.ReadAsync<JsonElement>()).GetProperty("reason").GetString());
        Assert.Equal(HttpStatusCode.OK, (await LoginAsync("cy@reset.test", OldPassword)).StatusCode);
    }

    [Fact]
    public async Task UsingOneLink_RetiresTheOthers_AndSignsTheAccountOutEverywhere()
    {
        var first = await (await LoginAsync(await RegisterAsync("dee@reset.test"), OldPassword)).ReadAsync<AuthEndpoints.TokenResponse>();
        var second = await (await LoginAsync("dee@reset.test", OldPassword)).ReadAsync<AuthEndpoints.TokenResponse>();
        var olderLink = await RequestResetAsync("dee@reset.test");
        var newerLink = await RequestResetAsync("dee@reset.test");

        Assert.Equal(HttpStatusCode.NoContent, (await ResetAsync(newerLink, NewPassword)).StatusCode);
        var older = await ResetAsync(olderLink, "an attacker's choice");

        Assert.Equal(HttpStatusCode.BadRequest, older.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await GetAsync(_platform, "auth/sessions/current", first.AccessToken)).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await GetAsync(_platform, "auth/sessions/current", second.AccessToken)).StatusCode);
    }

    [Fact]
    public async Task UnknownAddressesForgedTokensAndWeakPasswords_AreAnsweredWithoutGivingAnythingAway()
    {
        await RegisterAsync("eli@reset.test");
        var token = await RequestResetAsync("eli@reset.test");

        var unknown = await SendAsync(_platform, HttpMethod.Post, "auth/password/forgot", null, new { email = "nobody@reset.test" });
        var forged = await ResetAsync("forged-token-0123456789", NewPassword);
        var weak = await ResetAsync(token, "short");

        Assert.Equal(HttpStatusCode.Accepted, unknown.StatusCode);
        Assert.Empty(_email.To("nobody@reset.test"));
        Assert.Equal("unknown", (await forged.ReadAsync<JsonElement>()).GetProperty("reason").GetString());
        Assert.Equal(HttpStatusCode.BadRequest, weak.StatusCode);
        Assert.Equal(HttpStatusCode.NoContent, (await ResetAsync(token, NewPassword)).StatusCode);
    }

    private async Task<string> RegisterAsync(string email)
    {
        var response = await SendAsync(_platform, HttpMethod.Post, "auth/password/register", null, new { email, name = email, password = OldPassword });
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return email;
    }

    /// <summary>Asks for a link and reads it from the outbox, as the user would from their mailbox.</summary>
    private async Task<string> RequestResetAsync(string email)
    {
        var before = _email.To(email).Count;
        Assert.Equal(HttpStatusCode.Accepted, (await SendAsync(_platform, HttpMethod.Post, "auth/password/forgot", null, new { email })).StatusCode);
        var message = _email.To(email).Skip(before).Single();
        return Uri.UnescapeDataString(ResetLink().Match(message.Text).Groups[1].Value);
    }

    private Task<HttpResponseMessage> ResetAsync(string token, string newPassword) =>
        SendAsync(_platform, HttpMethod.Post, "auth/password/reset", null, new { token, newPassword });

    private Task<HttpResponseMessage> LoginAsync(string email, string password) =>
        SendAsync(_platform, HttpMethod.Post, "auth/password/login", null, new { email, password });

    private async Task<long> CountAsync(string sql, object value)
    {
        await using var connection = new NpgsqlConnection(_database);
        await connection.OpenAsync(Cancel);
        await using var command = new NpgsqlCommand(sql, connection);
        command.Parameters.Add(new NpgsqlParameter { Value = value });
        return (long)(await command.ExecuteScalarAsync(Cancel))!;
    }

    [GeneratedRegex(@"https://app\.apex\.test/reset\?token=(\S+)")]
    private static partial Regex ResetLink();
}
