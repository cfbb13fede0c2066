using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using Apex.Integration.Fakes;
using Apex.Integration.Infrastructure;
using Apex.Platform.Auth;
using Apex.Platform.Billing;
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
    private PlatformInstance _platform = null!;
    private Uri _webhook = null!;

    private BillingHarness(FakeTimeProvider time, FakePaymentGateway gateway, FakeEmailProvider email) => (Time, Gateway, Email) = (time, gateway, email);

    public FakeTimeProvider Time { get; }

    public FakePaymentGateway Gateway { get; }

    public FakeEmailProvider Email { get; }

    public IServiceProvider Services => _platform.Services;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    /// <summary>Starts at midnight UTC on the 1st of a 30-day month, so periods and prorations are easy to check by hand.</summary>
    public static async Task<BillingHarness> StartAsync(PostgresServer postgres, RedisServer redis, string owner)
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2031, 4, 1, 0, 0, 0, TimeSpan.Zero));
        var harness = new BillingHarness(time, await FakePaymentGateway.StartNewAsync(time), await FakeEmailProvider.StartNewAsync());
        harness._platform = await PlatformInstance.StartAsync(
            new PlatformSettings(await postgres.CreateDatabaseAsync(owner), redis.ConnectionString, RedisServer.NewKeyPrefix(owner))
            {
                Services = ["billing"],
                Extra = new Dictionary<string, string?>
                {
                    ["Platform:Billing:GatewayUrl"] = harness.Gateway.BaseAddress.ToString(),
                    ["Platform:Billing:GatewayApiKey"] = FakePaymentGateway.ApiKey,
                    ["Platform:Billing:WebhookSecret"] = FakePaymentGateway.WebhookSecret,
                    ["Platform:Billing:ProMonthlyPrice"] = ProPrice.ToString(CultureInfo.InvariantCulture),
                    ["Platform:Billing:TeamMonthlyPrice"] = TeamPrice.ToString(CultureInfo.InvariantCulture),
                    ["Platform:Billing:NotificationUrl"] = harness.Email.BaseAddress.ToString(),
                    ["Platform:Billing:NotificationApiKey"] = FakeEmailProvider.ApiKey,
                },
            },
            services => services.AddSingleton<TimeProvider>(harness.Time));
        harness._webhook = new Uri(harness._platform.BaseAddress, "webhooks/payments");
        return harness;
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
        await using var command = Services.GetRequiredService<NpgsqlDataSource>().CreateCommand(sql);
        foreach (var parameter in parameters) command.Parameters.Add(new NpgsqlParameter { Value = parameter });
        return await command.ExecuteScalarAsync(Ct) is T value ? value : default;
    }

    /// <summary>Runs a scoped platform service (a job such as renewals) as its scheduler would.</summary>
    public async Task<TResult> RunAsync<TService, TResult>(Func<TService, Task<TResult>> job) where TService : notnull
    {
        await using var scope = Services.CreateAsyncScope();
        return await job(scope.ServiceProvider.GetRequiredService<TService>());
    }

    public async ValueTask DisposeAsync()
    {
        _clients.ForEach(client => client.Dispose());
        await _platform.DisposeAsync();
        await Gateway.DisposeAsync();
        await Email.DisposeAsync();
    }
}

public sealed record Customer(HttpClient Client, PlatformUser User);
