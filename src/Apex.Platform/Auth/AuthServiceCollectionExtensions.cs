using Apex.Platform.Data;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.IdentityModel.Tokens;

namespace Apex.Platform.Auth;

public static class AuthServiceCollectionExtensions
{
    /// <summary>
    /// Token acceptance, which every service needs: platform JWTs checked for signature, issuer,
    /// audience and lifetime, then against the revocation list in Redis.
    /// </summary>
    public static IServiceCollection AddPlatformAuthentication(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<AuthOptions>().BindConfiguration(AuthOptions.SectionName).ValidateDataAnnotations().ValidateOnStart();
        var settings = configuration.GetSection(AuthOptions.SectionName).Get<AuthOptions>() ?? new AuthOptions();
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<TokenRevocationList>();
        services.TryAddSingleton<AccessTokenIssuer>();
        services.TryAddSingleton<UserDirectory>();
        services.AddSchema(10, "users", UserDirectory.Schema);
        services.AddAuthorization();
        services.AddAuthentication(JwtBearerDefaults.AuthenticationScheme).AddJwtBearer(options =>
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
        return services;
    }

    /// <summary>The auth service itself: the code exchange with the identity provider.</summary>
    public static IServiceCollection AddAuthService(this IServiceCollection services)
    {
        services.AddOptions<OAuthProviderOptions>().BindConfiguration(OAuthProviderOptions.SectionName).ValidateDataAnnotations().ValidateOnStart();
        services.AddHttpClient<OAuthProviderClient>();
        return services;
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
