using Apex.Platform.Auth.SignIn;
using Apex.Platform.Caching;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace Apex.Platform.Auth.Saml;

/// <summary>
/// The assertion consumer service: the browser posts the IdP's signed response here; a valid one
/// maps the user (provisioning them just in time on first sight) and signs them in. Each assertion
/// is accepted once: its id is remembered in Redis until it would have expired anyway.
/// </summary>
public static class SamlEndpoints
{
    public static IEndpointRouteBuilder MapSaml(this IEndpointRouteBuilder app)
    {
        // Read by hand rather than bound: the POST binding is cross-site by design, so antiforgery
        // does not apply; signature, audience, recipient and one-time use protect it instead.
        app.MapPost("/auth/saml/acs", AcsAsync);
        return app;
    }

    private static async Task<IResult> AcsAsync(HttpContext http, SamlResponseValidator validator, SignInFlow flow, IOptions<SamlOptions> options,
        IConnectionMultiplexer redis, RedisKeys keys, TimeProvider time)
    {
        if (!options.Value.Enabled) return TypedResults.Problem("SAML sign-in is not configured.", statusCode: StatusCodes.Status404NotFound);
        var form = http.Request.HasFormContentType ? await http.Request.ReadFormAsync(http.RequestAborted) : null;
        var encoded = form?["SAMLResponse"].ToString();
        if (string.IsNullOrEmpty(encoded)) return TypedResults.Problem("The post has no SAMLResponse.", statusCode: StatusCodes.Status400BadRequest);
        SamlIdentity identity;
        try
        {
            identity = validator.Validate(encoded);
        }
        catch (SamlValidationException e)
        {
            return TypedResults.Problem(e.Message, statusCode: StatusCodes.Status401Unauthorized, title: "SAML sign-in refused");
        }

        var keepFor = identity.NotOnOrAfter + options.Value.ClockSkew - time.GetUtcNow();
        var firstUse = await redis.GetDatabase().StringSetAsync(keys.Key($"auth:saml:assertion:{identity.AssertionId}"), "1",
            keepFor > TimeSpan.FromSeconds(1) ? keepFor : TimeSpan.FromSeconds(1), When.NotExists);
        if (!firstUse) return TypedResults.Problem("This assertion was already used.", statusCode: StatusCodes.Status401Unauthorized, title: "SAML sign-in refused");

        var provider = $"saml:{options.Value.IdpEntityId}";
        return (await flow.CompleteAsync(provider, new ExternalIdentity(identity.NameId, identity.Email, identity.Name), http)).ToResult();
    }
}
