using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using Apex.Integration.Authentication;
using Apex.Integration.Fakes;
using Apex.Integration.Infrastructure;
using Apex.Platform.Auth;
using Apex.Platform.Billing;
using Apex.Platform.Scheduling;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using Npgsql;

namespace Apex.Integration.BusinessCriticalFlows;

/// <summary>
/// The billing platform of plan items 98-100 with its externals: a fake payment gateway and email
/// provider over HTTP, and a clock the test moves (billing periods are months).
/// </summary>
public sealed class BillingHarness : IAsyncDisposable
{
    public const decimal ProPrice = 49.00m;
    public const decimal TeamPrice = 129.99m;

    private readonly List<HttpClient> _clients = [];
    private readonly List<PlatformInstance> _instances = [];
    private PlatformSettings _settings = null!;
    private PlatformInstance _platform = null!;
    private Uri _webhook = null!;

    private BillingHarness(FakeTimeProvider time, FakePaymentGateway gateway, FakeEmailProvider email) => (Time, Gateway, Email) = (time, gateway, email);

    public FakeTimeProvider Time { get; }

    public FakePaymentGateway Gateway { get; }

    public FakeEmailProvider Email { get; }

    public IServiceProvider Services => _platform.Services;

    public PlatformInstance Platform => _platform;

    /// <summary>The platform's database, reached by the test itself (it outlives any one instance).</summary>
    public NpgsqlDataSource Database { get; private set; } = null!;

    public FakeOAuthProvider? OAuth { get; private set; }

    public string? ClickHouseDatabase { get; private set; }

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    /// <summary>Starts at midnight UTC on the 1st of a 30-day month, so periods and prorations are easy to check by hand.</summary>
    public static Task<BillingHarness> StartAsync(PostgresServer postgres, RedisServer redis, string owner) =>
        StartAsync(postgres, redis, owner, new BillingSetup());

    /// <summary>
    /// With <see cref="BillingSetup.ClickHouse"/>, metering and usage billing are hosted too (and the auth
    /// service, so customers can sign in through the real login path); with <see cref="BillingSetup.Scheduler"/>
    /// the platform's own scheduler runs the jobs as the test moves the clock.
    /// </summary>
    public static async Task<BillingHarness> StartAsync(PostgresServer postgres, RedisServer redis, string owner, BillingSetup setup)
    {
        var time = new FakeTimeProvider(setup.Start ?? new DateTimeOffset(2031, 4, 1, 0, 0, 0, TimeSpan.Zero));
        var harness = new BillingHarness(time, await FakePaymentGateway.StartNewAsync(time), await FakeEmailProvider.StartNewAsync());
        var extra = BillingSettings(harness, setup);
        string[] services = ["billing"];
        if (setup.ClickHouse is { } clickHouse)
        {
            harness.OAuth = await FakeOAuthProvider.StartNewAsync();
            harness.ClickHouseDatabase = await clickHouse.CreateDatabaseAsync(owner);
            foreach (var (key, value) in UsageSettings(clickHouse, harness.ClickHouseDatabase).Concat(AuthApi.OAuthSettings(harness.OAuth))) extra[key] = value;
            services = ["billing", "metering", "auth"];
        }

        harness._settings = new PlatformSettings(await postgres.CreateDatabaseAsync(owner), redis.ConnectionString, RedisServer.NewKeyPrefix(owner))
        {
            Services = services,
            Extra = extra,
        };
        harness.Database = NpgsqlDataSource.Create(harness._settings.PostgresConnectionString);
        harness._platform = await harness.StartInstanceAsync();
        harness._webhook = new Uri(harness._platform.BaseAddress, "webhooks/payments");
        return harness;
    }

    /// <summary>Billing against the harness's fake gateway and email provider; the scheduler on a one-minute tick when asked for.</summary>
    private static Dictionary<string, string?> BillingSettings(BillingHarness harness, BillingSetup setup) => new()
    {
        ["Platform:Billing:GatewayUrl"] = harness.Gateway.BaseAddress.ToString(),
        ["Platform:Billing:GatewayApiKey"] = FakePaymentGateway.ApiKey,
        ["Platform:Billing:WebhookSecret"] = FakePaymentGateway.WebhookSecret,
        ["Platform:Billing:ProMonthlyPrice"] = ProPrice.ToString(CultureInfo.InvariantCulture),
        ["Platform:Billing:TeamMonthlyPrice"] = TeamPrice.ToString(CultureInfo.InvariantCulture),
        ["Platform:Billing:NotificationUrl"] = harness.Email.BaseAddress.ToString(),
        ["Platform:Billing:NotificationApiKey"] = FakeEmailProvider.ApiKey,
        ["Platform:Scheduling:Enabled"] = setup.Scheduler ? "true" : "false",
        ["Platform:Scheduling:Tick"] = "00:01:00",
    };

    /// <summary>Metering's prices in these tests: 1.25 per 1,000 tokens past 100,000; 0.35 per agent run.</summary>
    private static Dictionary<string, string?> UsageSettings(ClickHouseServer clickHouse, string database) => new()
    {
        ["Platform:ClickHouse:Endpoint"] = clickHouse.Endpoint.ToString(),
        ["Platform:ClickHouse:Database"] = database,
        ["Platform:Metering:Metrics:llm_tokens:UnitPrice"] = "1.25",
        ["Platform:Metering:Metrics:llm_tokens:UnitSize"] = "1000",
        ["Platform:Metering:Metrics:llm_tokens:Included"] = "100000",
        ["Platform:Metering:Metrics:agent_runs:UnitPrice"] = "0.35",
    };

    /// <summary>Another platform process on the same database and clock, as a second node of a deployment.</summary>
    public async Task<PlatformInstance> StartInstanceAsync()
    {
        var instance = await PlatformInstance.StartAsync(_settings, services => services.AddSingleton<TimeProvider>(Time));
        _instances.Add(instance);
        return instance;
    }

    /// <summary>Stops an instance as a deployment stops a node: whatever it was doing is cut short.</summary>
    public async Task StopInstanceAsync(PlatformInstance instance)
    {
        _instances.Remove(instance);
        await instance.DisposeAsync();
    }

    /// <summary>A customer signed in through the platform's own OAuth login (hosted with <see cref="BillingSetup.ClickHouse"/>).</summary>
    public async Task<Customer> SignInThroughLoginAsync(string email)
    {
        var tokens = await AuthApi.SignInAsync(_platform, OAuth!, email);
        var client = new HttpClient { BaseAddress = _platform.BaseAddress };
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", tokens.AccessToken);
        _clients.Add(client);
        return new Customer(client, new PlatformUser(tokens.UserId, tokens.TenantId, email, email.Split('@')[0]));
    }

    /// <summary>
    /// A user in a tenant of their own (a fresh email domain). Tokens are checked on the platform's
    /// clock, which the tests move by days, so each request carries one issued at the current time.
    /// </summary>
    public async Task<Customer> SignInAsync()
    {
        var subject = Guid.NewGuid().ToString("N");
        var user = await Services.GetRequiredService<UserDirectory>()
            .UpsertFromProviderAsync("oauth", new ExternalIdentity(subject, $"kim@{subject}.example", "Kim"), Ct);
        var issuer = Services.GetRequiredService<AccessTokenIssuer>();
        var session = Guid.NewGuid().ToString("N");
        var client = new HttpClient(new FreshTokenHandler(() => issuer.Issue(user, session).AccessToken)) { BaseAddress = _platform.BaseAddress };
        _clients.Add(client);
        return new Customer(client, user);
    }

    private sealed class FreshTokenHandler(Func<string> token) : DelegatingHandler(new HttpClientHandler())
    {
        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token());
            return base.SendAsync(request, cancellationToken);
        }
    }

    public async Task<GatewayCheckout> CheckoutAsync(Customer customer, string plan = PlanCatalog.Pro)
    {
        var response = await customer.Client.PostAsJsonAsync("api/billing/checkout", new { plan }, Ct);
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        return Gateway.Session((await response.Content.ReadFromJsonAsync<BillingEndpoints.CheckoutResponse>(Ct))!.SessionId);
    }

    /// <summary>Checkout and the gateway's signed confirmation: the tenant is subscribed from now.</summary>
    public async Task<GatewayCheckout> SubscribeAsync(Customer customer, string plan = PlanCatalog.Pro)
    {
        var session = await CheckoutAsync(customer, plan);
        var receipt = await DeliverAsync(FakePaymentGateway.Event(PaymentWebhookProcessor.CheckoutCompleted, session));
        Assert.Equal(HttpStatusCode.OK, receipt.StatusCode);
        return session;
    }

    public Task<HttpResponseMessage> DeliverAsync(GatewayEvent payment) => Gateway.DeliverAsync(_webhook, payment.Body, Gateway.Sign(payment.Body), Ct);

    public async Task<T?> ScalarAsync<T>(string sql, params object[] parameters)
    {
        await using var command = Database.CreateCommand(sql);
        foreach (var parameter in parameters) command.Parameters.Add(new NpgsqlParameter { Value = parameter });
        return await command.ExecuteScalarAsync(Ct) is T value ? value : default;
    }

    /// <summary>Runs a scoped platform service (a job such as renewals) as its scheduler would.</summary>
    public async Task<TResult> RunAsync<TService, TResult>(Func<TService, Task<TResult>> job) where TService : notnull
    {
        await using var scope = Services.CreateAsyncScope();
        return await job(scope.ServiceProvider.GetRequiredService<TService>());
    }

    /// <summary>One run of a scheduled job for the slot that is due now, as the scheduler would make it.</summary>
    public async Task RunJobAsync<TJob>(TimeSpan interval) where TJob : IScheduledJob
    {
        await using var scope = Services.CreateAsyncScope();
        await scope.ServiceProvider.GetRequiredService<TJob>().RunAsync(new ScheduledJob(typeof(TJob).Name, interval, typeof(TJob)).Slot(Time.GetUtcNow()), Ct);
    }

    public async ValueTask DisposeAsync()
    {
        _clients.ForEach(client => client.Dispose());
        foreach (var instance in _instances) await instance.DisposeAsync();
        await Gateway.DisposeAsync();
        await Email.DisposeAsync();
        if (OAuth is not null) await OAuth.DisposeAsync();
        await Database.DisposeAsync();
    }
}

public sealed record Customer(HttpClient Client, PlatformUser User);

/// <summary>What a billing test hosts besides billing itself.</summary>
public sealed record BillingSetup(ClickHouseServer? ClickHouse = null, bool Scheduler = false, DateTimeOffset? Start = null);
