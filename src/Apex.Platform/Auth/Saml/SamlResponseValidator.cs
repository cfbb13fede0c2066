using System.Globalization;
using System.Security.Cryptography.X509Certificates;
using System.Security.Cryptography.Xml;
using System.Xml;
using Microsoft.Extensions.Options;

namespace Apex.Platform.Auth.Saml;

/// <summary>Who a valid assertion says the user is, and until when it may be used.</summary>
public sealed record SamlIdentity(string AssertionId, string NameId, string Email, string Name, DateTimeOffset NotOnOrAfter);

public sealed class SamlValidationException(string message) : Exception(message);

/// <summary>
/// Checks a SAML 2.0 Response (HTTP-POST binding) from the trusted IdP: XML read without DTDs or
/// external entities; exactly one assertion, signed by the pinned certificate over exactly that
/// assertion (the reference must resolve to the element that is read, which defeats signature
/// wrapping); issuer, validity window, audience and recipient checked; values read only from the
/// verified assertion.
/// </summary>
public sealed class SamlResponseValidator(IOptions<SamlOptions> options, TimeProvider time)
{
    private const string ProtocolNs = "urn:oasis:names:tc:SAML:2.0:protocol";
    private const string AssertionNs = "urn:oasis:names:tc:SAML:2.0:assertion";
    private const string Success = "urn:oasis:names:tc:SAML:2.0:status:Success";
    private static readonly string[] SignatureMethods = [SignedXml.XmlDsigRSASHA256Url, SignedXml.XmlDsigRSASHA384Url, SignedXml.XmlDsigRSASHA512Url];
    private static readonly string[] DigestMethods = [SignedXml.XmlDsigSHA256Url, SignedXml.XmlDsigSHA384Url, SignedXml.XmlDsigSHA512Url];

    public SamlIdentity Validate(string encodedResponse)
    {
        var settings = options.Value;
        var response = Load(encodedResponse).DocumentElement!;
        if (response.LocalName != "Response" || response.NamespaceURI != ProtocolNs) throw Refuse("The message is not a SAML 2.0 Response.");
        if (response.GetAttribute("Destination") is { Length: > 0 } destination && destination != settings.AcsUrl) throw Refuse("The response is addressed to another endpoint.");
        var status = Single(Single(response, "Status", ProtocolNs), "StatusCode", ProtocolNs).GetAttribute("Value");
        if (status != Success) throw Refuse($"The identity provider reported {status}.");
        var assertion = Single(response, "Assertion", AssertionNs, "The response must carry exactly one (unencrypted) assertion.");
        using (var certificate = settings.LoadCertificate()) VerifySignature(assertion, certificate);
        if (Single(assertion, "Issuer", AssertionNs).InnerText != settings.IdpEntityId) throw Refuse("The assertion comes from an untrusted issuer.");
        var notOnOrAfter = CheckConditions(Single(assertion, "Conditions", AssertionNs), settings);
        return ReadSubject(assertion, settings, notOnOrAfter);
    }

    private static XmlDocument Load(string encoded)
    {
        try
        {
            var bytes = Convert.FromBase64String(encoded);
            var readerSettings = new XmlReaderSettings { DtdProcessing = DtdProcessing.Prohibit, XmlResolver = null, MaxCharactersInDocument = 1_000_000 };
            using var reader = XmlReader.Create(new MemoryStream(bytes), readerSettings);
            var document = new XmlDocument { PreserveWhitespace = true, XmlResolver = null };
            document.Load(reader);
            return document;
        }
        catch (Exception e) when (e is FormatException or XmlException)
        {
            throw Refuse($"The SAML response is not acceptable XML: {e.Message}");
        }
    }

    private static void VerifySignature(XmlElement assertion, X509Certificate2 certificate)
    {
        var id = assertion.GetAttribute("ID");
        var signature = Single(assertion, "Signature", SignedXml.XmlDsigNamespaceUrl, "The assertion is not signed.");
        var signed = new AssertionSignature(assertion);
        signed.LoadXml(signature);
        if (id.Length == 0 || signed.SignedInfo!.References.Count != 1 || signed.SignedInfo.References[0] is not Reference reference || reference.Uri != "#" + id)
        {
            throw Refuse("The signature does not cover the assertion that was read.");
        }

        if (!SignatureMethods.Contains(signed.SignedInfo.SignatureMethod) || !DigestMethods.Contains(reference.DigestMethod))
        {
            throw Refuse("The signature uses an algorithm this service does not accept.");
        }

        for (var i = 0; i < reference.TransformChain.Count; i++)
        {
            if (reference.TransformChain[i] is not (XmlDsigEnvelopedSignatureTransform or XmlDsigExcC14NTransform)) throw Refuse("The signature uses a transform this service does not accept.");
        }

        if (!signed.CheckSignature(certificate, verifySignatureOnly: true)) throw Refuse("The assertion's signature is not valid.");
    }

    private DateTimeOffset CheckConditions(XmlElement conditions, SamlOptions settings)
    {
        var now = time.GetUtcNow();
        var notBefore = Instant(conditions, "NotBefore");
        var notOnOrAfter = Instant(conditions, "NotOnOrAfter") ?? throw Refuse("The assertion has no expiry.");
        if (notBefore - settings.ClockSkew > now) throw Refuse("The assertion is not valid yet.");
        if (notOnOrAfter + settings.ClockSkew <= now) throw Refuse("The assertion has expired.");
        var audiences = conditions.GetElementsByTagName("Audience", AssertionNs).Cast<XmlElement>().Select(a => a.InnerText.Trim());
        return audiences.Contains(settings.SpEntityId) ? notOnOrAfter : throw Refuse("The assertion is meant for another service provider.");
    }

    private SamlIdentity ReadSubject(XmlElement assertion, SamlOptions settings, DateTimeOffset notOnOrAfter)
    {
        var subject = Single(assertion, "Subject", AssertionNs);
        var confirmation = Single(Single(subject, "SubjectConfirmation", AssertionNs), "SubjectConfirmationData", AssertionNs);
        if (confirmation.GetAttribute("Recipient") != settings.AcsUrl) throw Refuse("The assertion is addressed to another endpoint.");
        if (Instant(confirmation, "NotOnOrAfter") is { } until && until + settings.ClockSkew <= time.GetUtcNow()) throw Refuse("The assertion has expired.");
        var nameId = Single(subject, "NameID", AssertionNs).InnerText.Trim();
        var attributes = assertion.GetElementsByTagName("Attribute", AssertionNs).Cast<XmlElement>()
            .ToDictionary(a => a.GetAttribute("Name"), a => a.GetElementsByTagName("AttributeValue", AssertionNs).Cast<XmlElement>().FirstOrDefault()?.InnerText.Trim() ?? string.Empty);
        var email = attributes.GetValueOrDefault("email") ?? (nameId.Contains('@', StringComparison.Ordinal) ? nameId : throw Refuse("The assertion names no email address."));
        return new SamlIdentity(assertion.GetAttribute("ID"), nameId, email, attributes.GetValueOrDefault("displayName") ?? email, notOnOrAfter);
    }

    private static XmlElement Single(XmlElement parent, string localName, string ns, string? problem = null)
    {
        var found = parent.ChildNodes.OfType<XmlElement>().Where(e => e.LocalName == localName && e.NamespaceURI == ns).ToList();
        return found.Count == 1 ? found[0] : throw Refuse(problem ?? $"Expected exactly one {localName} in {parent.LocalName}.");
    }

    private static DateTimeOffset? Instant(XmlElement element, string attribute) =>
        element.GetAttribute(attribute) is { Length: > 0 } value
            ? DateTimeOffset.Parse(value, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal)
            : null;

    private static SamlValidationException Refuse(string message) => new(message);

    /// <summary>Resolves the signature's reference to the assertion being validated and nothing else.</summary>
    private sealed class AssertionSignature : SignedXml
    {
        private readonly XmlElement _assertion;

        public AssertionSignature(XmlElement assertion) : base(assertion) => _assertion = assertion;

        public override XmlElement? GetIdElement(XmlDocument? document, string idValue) =>
            _assertion.GetAttribute("ID") == idValue ? _assertion : null;
    }
}
