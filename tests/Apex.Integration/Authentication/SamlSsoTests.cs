using System.Net;
using System.Text.RegularExpressions;
using System.Xml;
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
/// Plan item 13: SAML 2.0 SSO with a fake IdP that really signs (RSA-SHA256 XML signature over the
/// assertion, self-signed certificate) and a platform that really verifies against the pinned
/// certificate. A valid assertion maps the user and provisions them just in time; tampered,
/// expired, wrong-audience, unsigned, foreign-key, signature-wrapped, DTD-carrying and replayed
/// responses are refused with the reason.
/// </summary>
[PlanItem(13)]
[BusinessValue("Enterprise", "Single sign-on with the customer's identity provider",
    "Enterprise SSO worth $25K MRR enterprise contracts", "SSO is a hard requirement in enterprise procurement")]
public sealed partial class SamlSsoTests(SamlSsoTests.Host host) : IClassFixture<SamlSsoTests.Host>
{
    private const string SpEntityId = "https://app.apex.test/saml";
    private const string AcsUrl = "https://app.apex.test/auth/saml/acs";
    private const string Saml = "urn:oasis:names:tc:SAML:2.0:assertion";
    private readonly FakeTimeProvider _clock = host.Clock;
    private readonly FakeSamlIdentityProvider _idp = host.Idp;
    private readonly PlatformInstance _platform = host.A;
    private readonly string _database = host.Database;

    /// <summary>The auth service trusting the fake IdP's certificate, pinned in its configuration.</summary>
    public sealed class Host(PostgresServer postgres, RedisServer redis) : ClassHost(postgres, redis)
    {
        public FakeSamlIdentityProvider Idp { get; private set; } = null!;

        protected override string Owner => "item13";

        protected override async Task<Dictionary<string, string?>> ExtraSettingsAsync()
        {
            Idp = Own(await FakeSamlIdentityProvider.StartNewAsync(SpEntityId, AcsUrl, Clock));
            return new()
            {
                ["Platform:Saml:IdpEntityId"] = FakeSamlIdentityProvider.EntityId,
                ["Platform:Saml:IdpCertificate"] = Idp.CertificateBase64,
                ["Platform:Saml:SpEntityId"] = SpEntityId,
                ["Platform:Saml:AcsUrl"] = AcsUrl,
            };
        }
    }

    [Fact]
    public async Task SignedAssertionFromTheIdpLoginPage_SignsTheUserIn_ProvisioningThemJustInTime()
    {
        Assert.Null(await StoredUserAsync("saml-1001"));

        var response = await BrowserLoginAsync("saml-1001", "nia@enterprise.test", "Nia Long");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var token = await response.ReadAsync<AuthEndpoints.TokenResponse>();
        Assert.Equal((token.UserId, "nia@enterprise.test", "Nia Long"), await StoredUserAsync("saml-1001"));
        Assert.Equal(HttpStatusCode.OK, (await GetAsync(_platform, "auth/sessions/current", token.AccessToken)).StatusCode);
    }

    [Fact]
    public async Task NextLogin_MapsToTheSameUser_AndRefreshesTheirProfile()
    {
        var first = await (await BrowserLoginAsync("saml-2002", "oz@enterprise.test", "Oz")).ReadAsync<AuthEndpoints.TokenResponse>();

        var second = await (await BrowserLoginAsync("saml-2002", "oz@enterprise.test", "Oz Renamed")).ReadAsync<AuthEndpoints.TokenResponse>();

        Assert.Equal((first.UserId, first.TenantId), (second.UserId, second.TenantId));
        Assert.Equal((first.UserId, "oz@enterprise.test", "Oz Renamed"), await StoredUserAsync("saml-2002"));
    }

    [Fact]
    public async Task TamperedExpiredAndWrongAudienceAssertions_AreRefused_AndProvisionNobody()
    {
        var tampered = _idp.CreateResponse(new SamlLogin("saml-3003", "pat@enterprise.test", "Pat"));
        tampered.GetElementsByTagName("AttributeValue", Saml)[0]!.InnerText = "ceo@enterprise.test";
        var expired = _idp.CreateResponse(new SamlLogin("saml-3004", "quo@enterprise.test", "Quo"));
        var foreign = _idp.CreateResponse(new SamlLogin("saml-3005", "ray@enterprise.test", "Ray") { Audience = "https://another-sp.test" });

        var tamperedAnswer = await PostAsync(tampered);
        var foreignAnswer = await PostAsync(foreign);
        _clock.Advance(TimeSpan.FromMinutes(8));
        var expiredAnswer = await PostAsync(expired);

        await AssertRefusedAsync(tamperedAnswer, "signature is not valid");
        await AssertRefusedAsync(foreignAnswer, "another service provider");
        await AssertRefusedAsync(expiredAnswer, "expired");
        Assert.Null(await StoredUserAsync("saml-3003"));
        Assert.Null(await StoredUserAsync("saml-3005"));
    }

    [Fact]
    public async Task UnsignedAndForeignKeySignedAssertions_AreRefused()
    {
        var unsigned = _idp.CreateResponse(new SamlLogin("saml-4001", "sam@enterprise.test", "Sam"));
        var signature = unsigned.GetElementsByTagName("Signature", System.Security.Cryptography.Xml.SignedXml.XmlDsigNamespaceUrl)[0]!;
        signature.ParentNode!.RemoveChild(signature);
        await using var impostor = await FakeSamlIdentityProvider.StartNewAsync(SpEntityId, AcsUrl, _clock, impostor: true);

        await AssertRefusedAsync(await PostAsync(unsigned), "not signed");
        await AssertRefusedAsync(await PostAsync(impostor.CreateResponse(new SamlLogin("saml-4002", "tia@enterprise.test", "Tia"))), "signature is not valid");
    }

    [Fact]
    public async Task SignatureWrapping_IsRefused_WhetherTheEvilAssertionHasItsOwnIdOrTheSignedOne()
    {
        var ownId = Wrap(_idp.CreateResponse(new SamlLogin("saml-5001", "eve@enterprise.test", "Eve")), evilId: "_evil");
        var sameId = Wrap(_idp.CreateResponse(new SamlLogin("saml-5002", "eve@enterprise.test", "Eve")), evilId: null);

        await AssertRefusedAsync(await PostAsync(ownId), "does not cover the assertion");
        await AssertRefusedAsync(await PostAsync(sameId), "signature is not valid");
        Assert.Null(await StoredUserAsync("ceo"));
    }

    [Fact]
    public async Task DtdCarryingAndReplayedResponses_AreRefused()
    {
        var genuine = _idp.CreateResponse(new SamlLogin("saml-6001", "uma@enterprise.test", "Uma"));
        var withDtd = "<!DOCTYPE r [<!ENTITY leak SYSTEM \"file:///etc/passwd\">]>" + genuine.OuterXml;

        var dtd = await PostEncodedAsync(Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes(withDtd)));
        var first = await PostAsync(genuine);
        var replay = await PostAsync(genuine);

        await AssertRefusedAsync(dtd, "not acceptable XML");
        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        await AssertRefusedAsync(replay, "already used");
    }

    /// <summary>What the user's browser does: open the IdP's login page and submit the form it answers with.</summary>
    private async Task<HttpResponseMessage> BrowserLoginAsync(string subject, string email, string name)
    {
        using var browser = new HttpClient { BaseAddress = _idp.BaseAddress };
        var page = await browser.GetStringAsync($"sso/login?subject={Uri.EscapeDataString(subject)}&email={Uri.EscapeDataString(email)}&name={Uri.EscapeDataString(name)}", Cancel);
        Assert.Contains($"action=\"{AcsUrl}\"", page, StringComparison.Ordinal);
        return await PostEncodedAsync(SamlResponseField().Match(page).Groups[1].Value);
    }

    /// <summary>
    /// XML signature wrapping: the genuinely signed assertion is moved into an Extensions element and
    /// an evil copy (another user) takes its place, keeping the copied signature.
    /// </summary>
    private static XmlDocument Wrap(XmlDocument document, string? evilId)
    {
        var response = document.DocumentElement!;
        var original = (XmlElement)document.GetElementsByTagName("Assertion", Saml)[0]!;
        var evil = (XmlElement)original.CloneNode(true);
        evil.GetElementsByTagName("NameID", Saml)[0]!.InnerText = "ceo";
        evil.GetElementsByTagName("AttributeValue", Saml)[0]!.InnerText = "ceo@enterprise.test";
        if (evilId is not null) evil.SetAttribute("ID", evilId);
        response.ReplaceChild(evil, original);
        var extensions = document.CreateElement("samlp", "Extensions", "urn:oasis:names:tc:SAML:2.0:protocol");
        extensions.AppendChild(original);
        response.InsertAfter(extensions, response.FirstChild);
        return document;
    }

    private Task<HttpResponseMessage> PostAsync(XmlDocument document) => PostEncodedAsync(FakeSamlIdentityProvider.Encode(document));

    private Task<HttpResponseMessage> PostEncodedAsync(string encoded) =>
        _platform.Client.PostAsync("auth/saml/acs", new FormUrlEncodedContent([new("SAMLResponse", encoded), new("RelayState", "/")]), Cancel);

    private static async Task AssertRefusedAsync(HttpResponseMessage response, string reason)
    {
        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Contains(reason, await response.DetailAsync(), StringComparison.Ordinal);
    }

    private async Task<(Guid, string, string)?> StoredUserAsync(string nameId)
    {
        await using var connection = new NpgsqlConnection(_database);
        await connection.OpenAsync(Cancel);
        await using var command = new NpgsqlCommand("SELECT id, email, name FROM users WHERE provider = $1 AND subject = $2", connection);
        command.Parameters.Add(new NpgsqlParameter { Value = $"saml:{FakeSamlIdentityProvider.EntityId}" });
        command.Parameters.Add(new NpgsqlParameter { Value = nameId });
        await using var reader = await command.ExecuteReaderAsync(Cancel);
        return await reader.ReadAsync(Cancel) ? (reader.GetGuid(0), reader.GetString(1), reader.GetString(2)) : null;
    }

    [GeneratedRegex("name=\"SAMLResponse\" value=\"([^\"]+)\"")]
    private static partial Regex SamlResponseField();
}
