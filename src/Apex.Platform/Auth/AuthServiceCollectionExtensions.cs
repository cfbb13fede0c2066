using Apex.Platform.Auth.ApiKeys;
using Apex.Platform.Auth.Context;
using Apex.Platform.Auth.Events;
using Apex.Platform.Auth.Passwords;
using Apex.Platform.Auth.Permissions;
using Apex.Platform.Auth.RateLimiting;
using Apex.Platform.Auth.Saml;
using Apex.Platform.Auth.Sessions;
using Apex.Platform.Auth.SignIn;
using Apex.Platform.Auth.TwoFactor;
using Apex.Platform.Data;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.IdentityModel.Tokens;

namespace Apex.Platform.Auth;

public static class AuthServiceCollectionExtensions
{
    /// <summary>Chooses the API key handler when a key is presented, the JWT handler otherwise.</summary>
    public const string PlatformScheme = "Platform";

    /// <summary>
    /// Token acceptance and access control, which every service needs: platform JWTs checked for
    /// signature, issuer, audience and lifetime (on the platform's clock), then against the
    /// revocation list in Redis; API keys; effective permissions with their coherent cache; rate
    /// limits; the signed user context passed between services.
    /// </summary>
    public static IServiceCollection AddPlatformAuthentication(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<AuthOptions>().BindConfiguration(AuthOptions.SectionName).ValidateDataAnnotations().ValidateOnStart();
        services.AddOptions<AccessOptions>().BindConfiguration(AccessOptions.SectionName).ValidateDataAnnotations().ValidateOnStart();
        services.AddOptions<RateLimitOptions>().BindConfiguration(RateLimitOptions.SectionName).ValidateDataAnnotations().ValidateOnStart();
        services.AddOptions<PeerOptions>().BindConfiguration(PeerOptions.SectionName);
        services.TryAddSingleton(TimeProvider.System);
        foreach (var type in new[] { typeof(TokenRevocationList), typeof(AccessTokenIssuer), typeof(UserDirectory), typeof(AuthEventBus), typeof(PermissionStore),
                     typeof(AccessResolver), typeof(ApiKeyStore), typeof(RedisRateLimiter), typeof(TenantTiers), typeof(UserContextSigner) })
        {
            services.TryAddSingleton(type);
        }

        services.AddHttpClient("peers");
        services.AddSchema(10, "users", UserDirectory.Schema);
        services.AddSchema(11, "permissions", PermissionSchema.Sql);
        services.AddSchema(12, "api-keys", ApiKeyStore.Schema);
        services.AddSchema(13, "two-factor", TwoFactorStore.Schema);
        services.AddSchema(14, "passwords", PasswordStore.Schema);
        services.AddAuthorization();
        AddSchemes(services, configuration.GetSection(AuthOptions.SectionName).Get<AuthOptions>() ?? new AuthOptions());
        return services;
    }

    /// <summary>The auth service itself: sign-in by OAuth, SAML and password, second factors, sessions.</summary>
    public static IServiceCollection AddAuthService(this IServiceCollection services)
    {
        services.AddOptions<OAuthProviderOptions>().BindConfiguration(OAuthProviderOptions.SectionName).ValidateDataAnnotations().ValidateOnStart();
        services.AddOptions<LoginSessionOptions>().BindConfiguration(LoginSessionOptions.SectionName).ValidateDataAnnotations().ValidateOnStart();
        services.AddOptions<SamlOptions>().BindConfiguration(SamlOptions.SectionName).ValidateDataAnnotations().ValidateOnStart();
        services.AddOptions<TwoFactorOptions>().BindConfiguration(TwoFactorOptions.SectionName).ValidateDataAnnotations().ValidateOnStart();
        services.AddOptions<PasswordOptions>().BindConfiguration(PasswordOptions.SectionName).ValidateDataAnnotations().ValidateOnStart();
        services.AddHttpClient<OAuthProviderClient>();
        services.AddHttpClient<SmsGatewayClient>();
        services.AddHttpClient<EmailClient>();
        foreach (var type in new[] { typeof(SessionStore), typeof(SessionManager), typeof(SignInFlow), typeof(TwoFactorStore), typeof(TwoFactorChallenges),
                     typeof(PasswordStore), typeof(SamlResponseValidator) })
        {
            services.TryAddSingleton(type);
        }

        return services;
    }

    /// <summary>Trace context first (so even a refused request has a trace), then identity, then limits.</summary>
    public static IApplicationBuilder UsePlatformAuthentication(this IApplicationBuilder app)
    {
        app.UseMiddleware<TraceContextMiddleware>();
        app.UseAuthentication();
        app.UseMiddleware<AccessControlMiddleware>();
        return app;
    }

    /// <summary>What every service answers about the caller: their access, and the context they carry.</summary>
    public static IEndpointRouteBuilder MapPlatformAccess(this IEndpointRouteBuilder app) => app.MapAccess().MapUserContext();

    private static void AddSchemes(IServiceCollection services, AuthOptions settings)
    {
        services.AddAuthentication(PlatformScheme)
            .AddPolicyScheme(PlatformScheme, "JWT or API key", options => options.ForwardDefaultSelector = context =>
                context.Request.Headers.ContainsKey(ApiKeyAuthenticationHandler.HeaderName) ? ApiKeyAuthenticationHandler.SchemeName : JwtBearerDefaults.AuthenticationScheme)
            .AddScheme<AuthenticationSchemeOptions, ApiKeyAuthenticationHandler>(ApiKeyAuthenticationHandler.SchemeName, null)
            .AddJwtBearer(options =>
            {
                options.MapInboundClaims = false;
                options.TokenValidationParameters = new TokenValidationParameters
                {
                    ValidIssuer = settings.Issuer,
                    ValidAudience = settings.Audience,
                    IssuerSigningKey = settings.SigningKey.Length >= 32 ? AccessTokenIssuer.SigningKey(settings) : null,
                    ValidAlgorithms = [SecurityAlgorithms.HmacSha256],
                    ClockSkew = TimeSpan.Zero,
                };
                options.Events = new JwtBearerEvents { OnMessageReceived = ReadWebSocketToken, OnTokenValidated = RejectRevoked };
            });
        // Token lifetime is judged by the platform's TimeProvider, the clock that issued the token,
        // not by the wall clock the token library would otherwise read.
        services.AddOptions<JwtBearerOptions>(JwtBearerDefaults.AuthenticationScheme).Configure<TimeProvider>((options, time) =>
            options.TokenValidationParameters.LifetimeValidator = (notBefore, expires, _, _) =>
            {
                var now = time.GetUtcNow().UtcDateTime;
                return (notBefore is null || notBefore <= now) && expires is { } end && end > now;
            });
    }

    // Browsers cannot set headers on a WebSocket handshake, so the token may come in the query.
    private static Task ReadWebSocketToken(MessageReceivedContext context)
    {
        if (context.HttpContext.WebSockets.IsWebSocketRequest && context.Request.Query.TryGetValue("access_token", out var token))
        {
            context.Token = token;
        }

        return Task.CompletedTask;
    }

    private static async Task RejectRevoked(TokenValidatedContext context)
    {
        var user = context.Principal!.ToUserContext();
        var revocations = context.HttpContext.RequestServices.GetRequiredService<TokenRevocationList>();
        if (await revocations.IsRevokedAsync(user.SessionId, user.TokenId))
        {
            context.Fail("The token has been revoked.");
        }
    }
}
