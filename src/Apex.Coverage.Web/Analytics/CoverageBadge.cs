using System.Globalization;
using System.Net;

namespace Apex.Coverage.Web.Analytics;

/// <summary>A flat two-part badge ("protected MRR | 42%") in the style READMEs already show.</summary>
public static class CoverageBadge
{
    public static string Svg(double protectedShare)
    {
        var percent = string.Create(CultureInfo.InvariantCulture, $"{Math.Round(protectedShare * 100, 0):0}%");
        const string label = "protected MRR";
        var color = protectedShare >= 0.9 ? "#4c1" : protectedShare >= 0.6 ? "#dfb317" : "#e05d44";
        const int left = 96;
        var right = 12 + (percent.Length * 8);
        var width = left + right;
        return $"""
            <svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="20" role="img" aria-label="{label}: {percent}">
              <title>{label}: {percent}</title>
              <rect width="{left}" height="20" fill="#555"/>
              <rect x="{left}" width="{right}" height="20" fill="{color}"/>
              <g fill="#fff" text-anchor="middle" font-family="Verdana,Geneva,DejaVu Sans,sans-serif" font-size="11">
                <text x="{left / 2}" y="14">{WebUtility.HtmlEncode(label)}</text>
                <text x="{left + (right / 2)}" y="14">{percent}</text>
              </g>
            </svg>
            """;
    }
}
