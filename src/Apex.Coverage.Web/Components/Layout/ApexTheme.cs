using MudBlazor;

namespace Apex.Coverage.Web.Components.Layout;

/// <summary>
/// The dashboard's colours. MudBlazor's default success (#00c853), error (#f44336) and warning
/// (#ff9800) carry white chip text below WCAG's 4.5:1 (axe-core's "color-contrast"); these darker
/// shades keep the same meaning (green protected/passed, red at risk/failed, amber flaky) and pass
/// in light mode; the dark palette uses lighter shades on a dark surface for the same reason.
/// </summary>
public static class ApexTheme
{
    public static MudTheme Create() => new()
    {
        PaletteLight = new PaletteLight
        {
            Primary = "#4338ca",
            Secondary = "#6d28d9",
            Success = "#1e7b34",
            Error = "#c62828",
            Warning = "#9a5b00",
            Info = "#01579b",
            AppbarBackground = "#312e81",
            TextSecondary = "#4b5563",
        },
        PaletteDark = new PaletteDark
        {
            Primary = "#a5b4fc",
            PrimaryContrastText = "#111827",
            Secondary = "#c4b5fd",
            Success = "#86efac",
            SuccessContrastText = "#0b2912",
            Error = "#fca5a5",
            ErrorContrastText = "#3b0a0a",
            Warning = "#fcd34d",
            WarningContrastText = "#2b1a00",
            Info = "#93c5fd",
            InfoContrastText = "#0b1d33",
            AppbarBackground = "#1e1b4b",
            TextPrimary = "#f3f4f6",
            TextSecondary = "#d1d5db",
        },
    };
}
