using System.Globalization;
using System.Text.RegularExpressions;

namespace Apex.Coverage.Web.Plan;

/// <summary>Dollar figures as the plan writes them: "$15K", "$1.5M", "$870K", "$2,500".</summary>
public static partial class MoneyFigure
{
    [GeneratedRegex(@"\$\s*(?<amount>\d[\d,]*(?:\.\d+)?)\s*(?<unit>[KkMmBb](?![A-Za-z]))?")]
    private static partial Regex Figure();

    /// <summary>The first dollar figure inside a text, or null when it has none.</summary>
    public static decimal? Find(string text)
    {
        var match = Figure().Match(text);
        return match.Success ? ToDollars(match) : null;
    }

    /// <summary>
    /// The figure a BVJ protects: the first one followed by "MRR" ("$1.5K per day, $100K MRR"
    /// protects $100K), else the first figure, else null.
    /// </summary>
    public static decimal? FindMrr(string text)
    {
        foreach (Match match in Figure().Matches(text))
        {
            if (text.AsSpan(match.Index + match.Length).TrimStart().StartsWith("MRR", StringComparison.OrdinalIgnoreCase))
            {
                return ToDollars(match);
            }
        }

        return Find(text);
    }

    /// <summary>Parses a cell that should hold exactly one figure, such as "$150K".</summary>
    public static bool TryParse(string text, out decimal dollars)
    {
        var match = Figure().Match(text.Trim());
        dollars = match.Success && match.Length == text.Trim().Length ? ToDollars(match) : 0m;
        return match.Success && match.Length == text.Trim().Length;
    }

    public static string Format(decimal dollars) => dollars switch
    {
        >= 1_000_000m => string.Create(CultureInfo.InvariantCulture, $"${dollars / 1_000_000m:0.##}M"),
        >= 1_000m => string.Create(CultureInfo.InvariantCulture, $"${dollars / 1_000m:0.##}K"),
        _ => string.Create(CultureInfo.InvariantCulture, $"${dollars:0.##}"),
    };

    private static decimal ToDollars(Match match)
    {
        var amount = decimal.Parse(
            match.Groups["amount"].Value.Replace(",", "", StringComparison.Ordinal),
            NumberStyles.Number,
            CultureInfo.InvariantCulture);
        var multiplier = char.ToUpperInvariant(match.Groups["unit"].Value.FirstOrDefault()) switch
        {
            'K' => 1_000m,
            'M' => 1_000_000m,
            'B' => 1_000_000_000m,
            _ => 1m,
        };
        // Dividing by 1.000... drops the trailing zeros that "$1.5M" leaves (1500000.0), so equal
        // figures print and serialize alike.
        return amount * multiplier / 1.000000000000000000000000000000000m;
    }
}
