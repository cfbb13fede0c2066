using Apex.Coverage.Web.ApiTokens;
using Apex.Coverage.Web.Audit;
using Apex.Coverage.Web.Data;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Components.Authorization;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Apex.Coverage.Web.Access;

/// <summary>
/// Sign-in and who may do what (ADR 0170): ASP.NET Core Identity's local accounts and cookie, API
/// tokens as a second scheme (a request with a bearer header is the token's, any other the
/// cookie's), the policies of <see cref="AccessPolicies"/>, and the account endpoints.
/// </summary>
public static class AccessHostingExtensions
{
    private const string SelectorScheme = "Apex";

    public static WebApplicationBuilder AddAccess(this WebApplicationBuilder builder)
    {
        builder.AddAccessStore();
        var services = builder.Services;
        services.AddOptions<AccessOptions>().BindConfiguration(AccessOptions.SectionName).ValidateDataAnnotations().ValidateOnStart();
        var authentication = services.AddAuthentication(o =>
            {
                o.DefaultScheme = SelectorScheme;
                o.DefaultSignInScheme = IdentityConstants.ApplicationScheme;
            })
            .AddPolicyScheme(SelectorScheme, "Cookie or API token", o => o.ForwardDefaultSelector = http =>
                ApiTokenAuthenticationHandler.HasBearer(http.Request) ? ApiTokenAuthenticationHandler.SchemeName : IdentityConstants.ApplicationScheme)
            .AddScheme<AuthenticationSchemeOptions, ApiTokenAuthenticationHandler>(ApiTokenAuthenticationHandler.SchemeName, null);
        authentication.AddIdentityCookies();
        authentication.AddDashboardOidc(builder.Configuration);
        services.AddOptions<CookieAuthenticationOptions>(IdentityConstants.ApplicationScheme).Configure<Microsoft.Extensions.Options.IOptions<AccessOptions>>(ConfigureCookie);
        new IdentityBuilder(typeof(DashboardUser), typeof(IdentityRole), services)
            .AddSignInManager()
            .AddDefaultTokenProviders();
        AccessPolicies.Add(services.AddAuthorizationBuilder());
        services.AddSingleton<IAuthorizationHandler, ReadAccessHandler>();
        services.AddCascadingAuthenticationState();
        services.AddScoped<DashboardAccess>();
        services.AddScoped<SignInRecorder>();
        return builder;
    }

    /// <summary>The account store alone (UserManager over the dashboard's database): the web host and the CLI share it.</summary>
    public static IHostApplicationBuilder AddAccessStore(this IHostApplicationBuilder builder)
    {
        builder.AddApiTokens();
        builder.AddAudit();
        // Identity's stores take a context per scope (a request, or one CLI command); every other
        // feature keeps creating its own short-lived contexts from the factory.
        builder.Services.TryAddScoped(sp => sp.GetRequiredService<Microsoft.EntityFrameworkCore.IDbContextFactory<CoverageDbContext>>().CreateDbContext());
        builder.Services.TryAddScoped<UserAccounts>();
        builder.Services.AddIdentityCore<DashboardUser>(ConfigureIdentity)
            .AddRoles<IdentityRole>()
            .AddEntityFrameworkStores<CoverageDbContext>();
        return builder;
    }

    public static WebApplication MapAccess(this WebApplication app)
    {
        app.MapAccountEndpoints();
        return app;
    }

    private static void ConfigureIdentity(IdentityOptions options)
    {
        // Identity's own password and lockout rules (12+ characters instead of its 6, the rest as it is):
        // five wrong passwords lock the account for five minutes.
        options.Password.RequiredLength = 12;
        options.Lockout.AllowedForNewUsers = true;
        options.Lockout.MaxFailedAccessAttempts = 5;
        options.Lockout.DefaultLockoutTimeSpan = TimeSpan.FromMinutes(5);
        options.User.RequireUniqueEmail = true;
    }

    private static void ConfigureCookie(CookieAuthenticationOptions cookie, Microsoft.Extensions.Options.IOptions<AccessOptions> access)
    {
        cookie.LoginPath = "/account/login";
        cookie.LogoutPath = "/account/logout";
        cookie.AccessDeniedPath = "/account/denied";
        cookie.Cookie.Name = "apex.auth";
        cookie.Cookie.HttpOnly = true;
        cookie.Cookie.SameSite = SameSiteMode.Lax;
        cookie.Cookie.SecurePolicy = CookieSecurePolicy.SameAsRequest;
        cookie.ExpireTimeSpan = access.Value.CookieLifetime;
        cookie.SlidingExpiration = true;
        // The API answers 401/403 problem details; only pages are sent to the sign-in page.
        cookie.Events.OnRedirectToLogin = context => IsApi(context.Request) ? ApiAnswers.TokenRequired(context.HttpContext) : Redirect(context);
        cookie.Events.OnRedirectToAccessDenied = context => IsApi(context.Request) ? ApiAnswers.Forbidden(context.HttpContext) : Redirect(context);
    }

    private static bool IsApi(HttpRequest request) =>
        request.Path.StartsWithSegments("/api") || request.Path.StartsWithSegments("/badge");

    private static Task Redirect(RedirectContext<CookieAuthenticationOptions> context)
    {
        context.Response.Redirect(context.RedirectUri);
        return Task.CompletedTask;
    }
}
