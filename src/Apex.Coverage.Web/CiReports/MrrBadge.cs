using System.Net;
using Apex.Coverage.Web.Plan;

namespace Apex.Coverage.Web.CiReports;

/// <summary>
/// A flat badge of the protected MRR in dollars ("protected MRR | $612K / $870K"), to sit beside
/// the percentage badge: the share says how far, the dollars say how much.
/// </summary>
public static class MrrBadge
{
    public static string Svg(decimal protectedMrr, decimal mrr)
    {
        var value = $"{MoneyFigure.Format(Math.Round(protectedMrr, 0))} / {MoneyFigure.Format(Math.Round(mrr, 0))}";
        var share = mrr == 0m ? 0 : (double)(protectedMrr / mrr);
        const string label = "protected MRR";
        var color = share >= 0.9 ? "#4c1" : share >= 0.6 ? "#dfb317" : "#e05d44";
        const int left = 96;
        var right = 12 + (value.Length * 7);
        var text = WebUtility.HtmlEncode(value);
        return $"""
            <svg xmlns="http://www.w3.org/2000/svg" width="{left + right}" height="20" role="img" aria-label="{label}: {text}">
              <title>{label}: {text}</title>
              <rect width="{left}" height="20" fill="#555"/>
              <rect x="{left}" width="{right}" height="20" fill="{color}"/>
              <g fill="#fff" text-anchor="middle" font-family="Verdana,Geneva,DejaVu Sans,sans-serif" font-size="11">
                <text x="{left / 2}" y="14">{label}</text>
                <text x="{left + (right / 2)}" y="14">{text}</text>
              </g>
            </svg>
            """;
    }
}
