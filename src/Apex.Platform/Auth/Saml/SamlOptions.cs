using System.ComponentModel.DataAnnotations;
using System.Security.Cryptography.X509Certificates;

namespace Apex.Platform.Auth.Saml;

/// <summary>
/// The one trusted SAML identity provider: its entity id and signing certificate (pinned here, never
/// taken from the message), and this service provider's entity id and assertion consumer URL.
/// SAML is off while no certificate is configured; a partial configuration stops the start.
/// </summary>
public sealed class SamlOptions : IValidatableObject
{
    public const string SectionName = "Platform:Saml";

    public string IdpEntityId { get; set; } = string.Empty;

    /// <summary>The IdP's signing certificate, base64 DER.</summary>
    public string IdpCertificate { get; set; } = string.Empty;

    public string SpEntityId { get; set; } = string.Empty;

    public string AcsUrl { get; set; } = string.Empty;

    [Range(typeof(TimeSpan), "00:00:00", "00:10:00", ErrorMessage = "Platform:Saml:ClockSkew must be between 0 and 10 minutes.")]
    public TimeSpan ClockSkew { get; set; } = TimeSpan.FromMinutes(2);

    public bool Enabled => IdpCertificate.Length > 0;

    public X509Certificate2 LoadCertificate() => X509CertificateLoader.LoadCertificate(Convert.FromBase64String(IdpCertificate));

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (!Enabled && IdpEntityId.Length == 0) yield break;
        foreach (var (name, value) in new[] { ("IdpEntityId", IdpEntityId), ("IdpCertificate", IdpCertificate), ("SpEntityId", SpEntityId), ("AcsUrl", AcsUrl) })
        {
            if (value.Length == 0) yield return new ValidationResult($"Platform:Saml:{name} is required when SAML is configured.");
        }

        string? problem = null;
        try
        {
            if (Enabled) LoadCertificate().Dispose();
        }
        catch (Exception e) when (e is FormatException or System.Security.Cryptography.CryptographicException)
        {
            problem = $"Platform:Saml:IdpCertificate is not a base64 DER certificate: {e.Message}";
        }

        if (problem is not null) yield return new ValidationResult(problem);
    }
}
