using MudBlazor;

namespace Apex.Coverage.Web.Components.Layout;

/// <summary>
/// The frame: the drawer opens beside the page on wide screens and over it below 1280 px (so a
/// 1024 px screen keeps the whole table), and the colours follow the OS's light or dark preference
/// until the toggle chooses for this browser tab.
/// </summary>
public sealed partial class MainLayout
{
    private readonly MudTheme _theme = ApexTheme.Create();
    private MudThemeProvider _themeProvider = null!;
    private bool _drawerOpen = true;
    private bool _darkMode;
    private bool _chosen;

    // Prerendered HTML shows buttons before the circuit can handle a click; browser tests wait for this.
    private bool _interactive;

    [Microsoft.AspNetCore.Components.Inject] private IBrowserViewportService Viewport { get; set; } = null!;

    protected override async Task OnAfterRenderAsync(bool firstRender)
    {
        if (!firstRender)
        {
            return;
        }

        if (await Viewport.GetCurrentBreakpointAsync() < Breakpoint.Lg)
        {
            _drawerOpen = false;
        }

        _darkMode = await _themeProvider.GetSystemDarkModeAsync();
        await _themeProvider.WatchSystemDarkModeAsync(FollowSystemAsync);
        _interactive = true;
        StateHasChanged();
    }

    private Task FollowSystemAsync(bool dark)
    {
        if (!_chosen)
        {
            _darkMode = dark;
            StateHasChanged();
        }

        return Task.CompletedTask;
    }

    private void ToggleDrawer() => _drawerOpen = !_drawerOpen;

    private void ToggleDarkMode() => (_darkMode, _chosen) = (!_darkMode, true);
}
