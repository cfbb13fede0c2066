using System.Collections.Concurrent;
using System.Collections.Immutable;
using System.Net;
using System.Security.Claims;
using Apex.Coverage.Tests.Fixtures;
using Microsoft.AspNetCore;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using OpenIddict.Abstractions;
using OpenIddict.Server.AspNetCore;
using static OpenIddict.Abstractions.OpenIddictConstants;
using HttpResults = Microsoft.AspNetCore.Http.Results;

namespace Apex.Coverage.Tests.Auth.Oidc;

/// <summary>A person the provider knows, with the values of its <see cref="TestIdentityProvider.GroupsClaim"/> claim.</summary>
public sealed record ProviderUser(string Subject, string Email, IReadOnlyList<string> Groups);

/// <summary>
/// A real OpenID Connect provider for the sign-in tests: OpenIddict's server (discovery, authorization
/// endpoint, token endpoint with PKCE and client authentication, signed ID tokens) on Kestrel at a
/// loopback port, its client registrations in a SQLite file of its own. Its <c>/login</c> form signs a
/// known user into the provider's own session cookie; the authorization endpoint then issues a code
/// whose ID token carries the user's <c>groups</c>.
/// </summary>
public sealed class TestIdentityProvider : IAsyncDisposable
{
    public const string ClientId = "apex-dashboard";
    public const string ClientSecret = "test-only-secret-4b1d9e";
    public const string GroupsClaim = "groups";
    private const string SessionScheme = "provider-session";

    private readonly ConcurrentDictionary<string, ProviderUser> _users = new(StringComparer.OrdinalIgnoreCase);
    private readonly string _folder = TempFolder.Create("apex-oidc");
    private WebApplication _app = null!;

    public Uri Address { get; private set; } = null!;

    public static async Task<TestIdentityProvider> StartAsync()
    {
        var provider = new TestIdentityProvider();
        await provider.StartHostAsync();
        return provider;
    }

    public ProviderUser AddUser(params string[] groups)
    {
        var user = new ProviderUser($"sub-{Guid.NewGuid():N}", $"sso-{Guid.NewGuid():N}@corp.test", groups);
        _users[user.Email] = user;
        return user;
    }

    /// <summary>Registers the dashboard as a confidential client that must use PKCE, with its callback as the only redirect URI.</summary>
    public async Task RegisterDashboardAsync(Uri dashboard)
    {
        await using var scope = _app.Services.CreateAsyncScope();
        var applications = scope.ServiceProvider.GetRequiredService<IOpenIddictApplicationManager>();
        await applications.CreateAsync(new OpenIddictApplicationDescriptor
        {
            ClientId = ClientId,
            ClientSecret = ClientSecret,
            ClientType = ClientTypes.Confidential,
            RedirectUris = { new Uri(dashboard, "signin-oidc") },
            Permissions =
            {
                Permissions.Endpoints.Authorization, Permissions.Endpoints.Token,
                Permissions.GrantTypes.AuthorizationCode, Permissions.ResponseTypes.Code,
                Permissions.Scopes.Email, Permissions.Scopes.Profile, Permissions.Prefixes.Scope + GroupsClaim,
            },
            Requirements = { Requirements.Features.ProofKeyForCodeExchange },
        });
    }

    public async ValueTask DisposeAsync()
    {
        await _app.DisposeAsync();
        TempFolder.Delete(_folder);
    }

    private async Task StartHostAsync()
    {
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { ContentRootPath = _folder, EnvironmentName = "Production" });
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        var store = $"Data Source={Path.Combine(_folder, "provider.db")};Pooling=False";
        builder.Services.AddDbContext<ProviderStore>(o => o.UseSqlite(store).UseOpenIddict());
        builder.Services.AddAuthentication(SessionScheme).AddCookie(SessionScheme, o =>
        {
            o.Cookie.Name = "provider.session";
            o.LoginPath = "/login";
        });
        builder.Services.AddOpenIddict()
            .AddCore(o => o.UseEntityFrameworkCore().UseDbContext<ProviderStore>())
            .AddServer(ConfigureServer);
        _app = builder.Build();
        _app.UseAuthentication();
        _app.MapGet("/login", LoginForm);
        _app.MapPost("/login", (Delegate)LoginAsync);
        _app.MapMethods("/connect/authorize", [HttpMethods.Get, HttpMethods.Post], (Delegate)AuthorizeAsync);
        await using (var scope = _app.Services.CreateAsyncScope())
        {
            await scope.ServiceProvider.GetRequiredService<ProviderStore>().Database.EnsureCreatedAsync();
        }

        await _app.StartAsync();
        Address = new Uri(_app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First() + "/");
    }

    private static void ConfigureServer(OpenIddictServerBuilder server)
    {
        server.SetAuthorizationEndpointUris("connect/authorize").SetTokenEndpointUris("connect/token");
        server.AllowAuthorizationCodeFlow().RequireProofKeyForCodeExchange();
        server.RegisterScopes(Scopes.Email, Scopes.Profile, GroupsClaim);
        server.AddEphemeralEncryptionKey().AddEphemeralSigningKey();
        // Plain HTTP on loopback: the test's stand-in for a provider behind TLS.
        server.UseAspNetCore().EnableAuthorizationEndpointPassthrough().DisableTransportSecurityRequirement();
    }

    private static IResult LoginForm(string? returnUrl) => HttpResults.Content(
        $"""<html><body><form method="post" action="/login"><input name="username" data-testid="provider-username" /><input type="hidden" name="returnUrl" value="{WebUtility.HtmlEncode(returnUrl)}" /><button type="submit" data-testid="provider-submit">Sign in</button></form></body></html>""",
        "text/html");

    private async Task<IResult> LoginAsync(HttpContext http)
    {
        var form = await http.Request.ReadFormAsync();
        var returnUrl = form["returnUrl"].ToString();
        if (!_users.TryGetValue(form["username"].ToString(), out var user) || !returnUrl.StartsWith('/'))
        {
            return HttpResults.BadRequest("Unknown user or return URL.");
        }

        var identity = new ClaimsIdentity([new Claim(ClaimTypes.Name, user.Email)], SessionScheme);
        await http.SignInAsync(SessionScheme, new ClaimsPrincipal(identity));
        return HttpResults.Redirect(returnUrl);
    }

    private async Task<IResult> AuthorizeAsync(HttpContext http)
    {
        var session = await http.AuthenticateAsync(SessionScheme);
        if (session.Principal?.Identity?.Name is not { } email || !_users.TryGetValue(email, out var user))
        {
            return HttpResults.Challenge(new AuthenticationProperties { RedirectUri = http.Request.Path + http.Request.QueryString }, [SessionScheme]);
        }

        var request = http.GetOpenIddictServerRequest() ?? throw new InvalidOperationException("Not an OpenID Connect request.");
        var identity = new ClaimsIdentity(OpenIddictServerAspNetCoreDefaults.AuthenticationScheme, Claims.Name, Claims.Role);
        identity.SetClaim(Claims.Subject, user.Subject).SetClaim(Claims.Email, user.Email).SetClaim(Claims.Name, user.Email);
        identity.SetClaims(GroupsClaim, [.. user.Groups]);
        identity.SetScopes(request.GetScopes());
        identity.SetDestinations(_ => [Destinations.IdentityToken, Destinations.AccessToken]);
        return HttpResults.SignIn(new ClaimsPrincipal(identity), properties: null, OpenIddictServerAspNetCoreDefaults.AuthenticationScheme);
    }
}

/// <summary>The provider's own store: OpenIddict's applications, authorizations and tokens.</summary>
public sealed class ProviderStore(DbContextOptions<ProviderStore> options) : DbContext(options);
