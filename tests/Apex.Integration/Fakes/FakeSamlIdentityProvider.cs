using System.Net;
using System.Security;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Security.Cryptography.Xml;
using System.Xml;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace Apex.Integration.Fakes;

/// <summary>What the IdP asserts about one login, and for whom; each property can be made wrong on purpose.</summary>
public sealed record SamlLogin(string NameId, string Email, string Name)
{
    public string? Audience { get; init; }

    public TimeSpan Lifetime { get; init; } = TimeSpan.FromMinutes(5);
}

/// <summary>
/// A SAML 2.0 identity provider at the boundary. It holds an RSA key and a self-signed certificate
/// made with CertificateRequest, and answers its login page with the HTTP-POST binding's
/// auto-submitting form: a Response whose Assertion carries a real enveloped XML signature
/// (RSA-SHA256, exclusive c14n) made with SignedXml.
/// </summary>
public sealed class FakeSamlIdentityProvider : FakeHttpServer
{
    public const string EntityId = "https://idp.fake.test/saml";
    private const string SamlP = "urn:oasis:names:tc:SAML:2.0:protocol";
    private const string Saml = "urn:oasis:names:tc:SAML:2.0:assertion";
    // Generating an RSA key takes a while; the IdP's key (and an impostor's) are made once per test run.
    private static readonly Lazy<RSA> GenuineKey = new(() => RSA.Create(2048));
    private static readonly Lazy<RSA> ImpostorKey = new(() => RSA.Create(2048));
    private readonly RSA _key;
    private readonly TimeProvider _clock;

    private FakeSamlIdentityProvider(string spEntityId, string acsUrl, TimeProvider clock, bool impostor)
    {
        (SpEntityId, AcsUrl, _clock) = (spEntityId, acsUrl, clock);
        _key = impostor ? ImpostorKey.Value : GenuineKey.Value;
        var request = new CertificateRequest("CN=Fake SAML IdP", _key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        Certificate = request.CreateSelfSigned(clock.GetUtcNow().AddDays(-1), clock.GetUtcNow().AddYears(1));
    }

    public string SpEntityId { get; }

    public string AcsUrl { get; }

    public X509Certificate2 Certificate { get; }

    /// <summary>The signing certificate as the platform pins it (base64 DER, public part only).</summary>
    public string CertificateBase64 => Convert.ToBase64String(Certificate.Export(X509ContentType.Cert));

    /// <summary>An IdP; an impostor has the same entity id but a key of its own, as an attacker would.</summary>
    public static async Task<FakeSamlIdentityProvider> StartNewAsync(string spEntityId, string acsUrl, TimeProvider clock, bool impostor = false)
    {
        var idp = new FakeSamlIdentityProvider(spEntityId, acsUrl, clock, impostor);
        await idp.StartAsync();
        return idp;
    }

    /// <summary>A signed Response for this login, as a document (tests that tamper with it start here).</summary>
    public XmlDocument CreateResponse(SamlLogin login)
    {
        var document = new XmlDocument { PreserveWhitespace = true };
        document.LoadXml(ResponseXml(login));
        var assertion = (XmlElement)document.GetElementsByTagName("Assertion", Saml)[0]!;
        var signature = Sign(document, assertion.GetAttribute("ID"));
        assertion.InsertAfter(document.ImportNode(signature, true), assertion.GetElementsByTagName("Issuer", Saml)[0]);
        return document;
    }

    public static string Encode(XmlDocument document) => Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes(document.OuterXml));

    protected override void Map(WebApplication app) =>
        app.MapGet("/sso/login", (string subject, string email, string? name, string? audience) =>
        {
            var encoded = Encode(CreateResponse(new SamlLogin(subject, email, name ?? email) { Audience = audience }));
            return Results.Content($"""
                <html><body onload="document.forms[0].submit()">
                <form method="post" action="{WebUtility.HtmlEncode(AcsUrl)}"><input type="hidden" name="SAMLResponse" value="{encoded}"/></form>
                </body></html>
                """, "text/html");
        });

    private XmlElement Sign(XmlDocument document, string id)
    {
        var signed = new SignedXml(document) { SigningKey = _key };
        signed.SignedInfo!.CanonicalizationMethod = SignedXml.XmlDsigExcC14NTransformUrl;
        signed.SignedInfo.SignatureMethod = SignedXml.XmlDsigRSASHA256Url;
        var reference = new Reference("#" + id) { DigestMethod = SignedXml.XmlDsigSHA256Url };
        reference.AddTransform(new XmlDsigEnvelopedSignatureTransform());
        reference.AddTransform(new XmlDsigExcC14NTransform());
        signed.AddReference(reference);
        signed.KeyInfo = new KeyInfo();
        signed.KeyInfo.AddClause(new KeyInfoX509Data(Certificate));
        signed.ComputeSignature();
        return signed.GetXml();
    }

    private string ResponseXml(SamlLogin login)
    {
        var now = _clock.GetUtcNow();
        string Instant(DateTimeOffset t) => t.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ssZ", System.Globalization.CultureInfo.InvariantCulture);
        var until = Instant(now + login.Lifetime);
        return $"""
            <samlp:Response xmlns:samlp="{SamlP}" xmlns:saml="{Saml}" ID="_r{Guid.NewGuid():N}" Version="2.0" IssueInstant="{Instant(now)}" Destination="{AcsUrl}">
              <saml:Issuer>{EntityId}</saml:Issuer>
              <samlp:Status><samlp:StatusCode Value="urn:oasis:names:tc:SAML:2.0:status:Success"/></samlp:Status>
              <saml:Assertion ID="_a{Guid.NewGuid():N}" Version="2.0" IssueInstant="{Instant(now)}">
                <saml:Issuer>{EntityId}</saml:Issuer>
                {SubjectXml(login, until)}
                <saml:Conditions NotBefore="{Instant(now.AddSeconds(-5))}" NotOnOrAfter="{until}">
                  <saml:AudienceRestriction><saml:Audience>{SecurityElement.Escape(login.Audience ?? SpEntityId)}</saml:Audience></saml:AudienceRestriction>
                </saml:Conditions>
                <saml:AuthnStatement AuthnInstant="{Instant(now)}"><saml:AuthnContext><saml:AuthnContextClassRef>urn:oasis:names:tc:SAML:2.0:ac:classes:PasswordProtectedTransport</saml:AuthnContextClassRef></saml:AuthnContext></saml:AuthnStatement>
                <saml:AttributeStatement>
                  <saml:Attribute Name="email"><saml:AttributeValue>{SecurityElement.Escape(login.Email)}</saml:AttributeValue></saml:Attribute>
                  <saml:Attribute Name="displayName"><saml:AttributeValue>{SecurityElement.Escape(login.Name)}</saml:AttributeValue></saml:Attribute>
                </saml:AttributeStatement>
              </saml:Assertion>
            </samlp:Response>
            """;
    }

    private string SubjectXml(SamlLogin login, string until) => $"""
        <saml:Subject>
          <saml:NameID Format="urn:oasis:names:tc:SAML:1.1:nameid-format:unspecified">{SecurityElement.Escape(login.NameId)}</saml:NameID>
          <saml:SubjectConfirmation Method="urn:oasis:names:tc:SAML:2.0:cm:bearer">
            <saml:SubjectConfirmationData NotOnOrAfter="{until}" Recipient="{AcsUrl}"/>
          </saml:SubjectConfirmation>
        </saml:Subject>
        """;
}
