using System.ComponentModel.DataAnnotations;
using System.Net;

namespace Apex.Coverage.Web.Hosting;

/// <summary>
/// The dashboard's edge: which reverse proxies may speak for a client (X-Forwarded-For/-Proto),
/// and how long a request line and its headers may be before the request is answered 414 / 431
/// with problem details (ADR 0182). Section "Edge".
/// </summary>
public sealed class EdgeOptions : IValidatableObject
{
    public const string SectionName = "Edge";

    /// <summary>
    /// Addresses of the proxies in front of the dashboard (for example "10.0.0.5"). X-Forwarded-*
    /// headers are honoured only from these and <see cref="KnownNetworks"/>; empty (the default)
    /// means no proxy is trusted, so a client cannot forge its address or scheme.
    /// </summary>
    public string[] KnownProxies { get; set; } = [];

    /// <summary>Networks of trusted proxies in CIDR form ("10.0.0.0/8").</summary>
    public string[] KnownNetworks { get; set; } = [];

    /// <summary>The longest request line (method, target, version) answered normally; longer is 414.</summary>
    [Range(1024, 1024 * 1024, ErrorMessage = "Edge:MaxRequestLineBytes must be between 1024 and 1048576 (default 8192).")]
    public int MaxRequestLineBytes { get; set; } = 8 * 1024;

    /// <summary>The most header bytes (names and values) answered normally; more is 431.</summary>
    [Range(4096, 4 * 1024 * 1024, ErrorMessage = "Edge:MaxRequestHeadersBytes must be between 4096 and 4194304 (default 32768).")]
    public int MaxRequestHeadersBytes { get; set; } = 32 * 1024;

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        foreach (var proxy in KnownProxies.Where(p => !IPAddress.TryParse(p, out _)))
        {
            yield return new ValidationResult($"Edge:KnownProxies has '{proxy}', which is not an IP address.", [nameof(KnownProxies)]);
        }

        foreach (var network in KnownNetworks.Where(n => !System.Net.IPNetwork.TryParse(n, out _)))
        {
            yield return new ValidationResult($"Edge:KnownNetworks has '{network}', which is not a network in CIDR form (10.0.0.0/8).", [nameof(KnownNetworks)]);
        }
    }
}
