using System.Globalization;

namespace Apex.Coverage.Tests.Fixtures;

/// <summary>
/// Runs the rest of a test as a server set to another language would: the current culture and UI
/// culture become <c>name</c> until the scope is disposed (the setting flows with the test's async
/// context only, so other tests never see it).
/// </summary>
public sealed class CultureScope : IDisposable
{
    /// <summary>Cultures that write dates, months, years or decimals differently from English.</summary>
    public static readonly string[] Others = ["de-DE", "fr-FR", "th-TH", "ar-SA", "ja-JP"];

    private readonly CultureInfo _culture = CultureInfo.CurrentCulture;
    private readonly CultureInfo _uiCulture = CultureInfo.CurrentUICulture;

    public CultureScope(string name)
    {
        var culture = CultureInfo.GetCultureInfo(name);
        CultureInfo.CurrentCulture = culture;
        CultureInfo.CurrentUICulture = culture;
    }

    public void Dispose()
    {
        CultureInfo.CurrentCulture = _culture;
        CultureInfo.CurrentUICulture = _uiCulture;
    }
}
