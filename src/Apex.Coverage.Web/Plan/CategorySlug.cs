using System.Text;

namespace Apex.Coverage.Web.Plan;

/// <summary>
/// The category name in lower case with each run of other characters replaced by '-', trimmed:
/// "Authentication &amp; Authorization" becomes "authentication-authorization".
/// </summary>
public static class CategorySlug
{
    public static string From(string name)
    {
        var slug = new StringBuilder(name.Length);
        var pendingDash = false;
        foreach (var c in name.ToLowerInvariant())
        {
            if (char.IsAsciiLetterOrDigit(c))
            {
                if (pendingDash && slug.Length > 0)
                {
                    slug.Append('-');
                }

                slug.Append(c);
                pendingDash = false;
            }
            else
            {
                pendingDash = true;
            }
        }

        return slug.ToString();
    }
}
