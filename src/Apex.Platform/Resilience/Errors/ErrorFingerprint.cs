using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;

namespace Apex.Platform.Resilience.Errors;

/// <summary>
/// The identity of an error's cause: its kind, its message with the values that vary from one
/// occurrence to the next (ids, numbers, quoted values, ports) taken out, and where it happened.
/// Two occurrences of one cause share a fingerprint whichever service or request they came from.
/// </summary>
public static partial class ErrorFingerprint
{
    public static string Template(string message)
    {
        var text = Guids().Replace(message, "{id}");
        text = Quoted().Replace(text, "{value}");
        return Numbers().Replace(text, "{n}");
    }

    public static string Of(ErrorReport report)
    {
        var identity = $"{report.Kind}\n{Template(report.Message)}\n{report.Location}";
        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(identity)))[..16];
    }

    [GeneratedRegex("[0-9a-fA-F]{8}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{12}")]
    private static partial Regex Guids();

    [GeneratedRegex("'[^']*'|\"[^\"]*\"")]
    private static partial Regex Quoted();

    [GeneratedRegex(@"\d+(\.\d+)*")]
    private static partial Regex Numbers();
}

/// <summary>One occurrence of an error, as a service reports it.</summary>
public sealed record ErrorReport(string Service, string Kind, string Message, string? Location);
