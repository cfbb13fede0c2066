using Deque.AxeCore.Playwright;
using Microsoft.Playwright;

namespace Apex.Coverage.E2E;

/// <summary>What every page gets: screenshots at the widths managers use, and axe-core's verdict.</summary>
public static class PageChecks
{
    public static readonly int[] Widths = [1440, 1024];

    /// <summary>Screenshots go to TestResults/ beside the test assembly, kept after the run.</summary>
    public static string Artifact(string name)
    {
        var folder = Path.Combine(AppContext.BaseDirectory, "TestResults");
        Directory.CreateDirectory(folder);
        return Path.Combine(folder, name);
    }

    /// <summary>Full-page screenshots of the page as it is now at 1440 and 1024 px, named name-1440.png and name-1024.png.</summary>
    public static async Task ScreenshotsAsync(IPage page, string name)
    {
        var original = page.ViewportSize;
        foreach (var width in Widths)
        {
            await page.SetViewportSizeAsync(width, original?.Height ?? 900);
            // Resizing across 1280 px slides the drawer; finish such transitions before the picture.
            await page.ScreenshotAsync(new PageScreenshotOptions { Path = Artifact($"{name}-{width}.png"), FullPage = true, Animations = ScreenshotAnimations.Disabled });
        }

        if (original is not null)
        {
            await page.SetViewportSizeAsync(original.Width, original.Height);
        }
    }

    /// <summary>Runs axe-core on the page and fails on any serious or critical violation, naming each with its elements.</summary>
    public static async Task AssertAccessibleAsync(IPage page)
    {
        var results = await page.RunAxe();
        var severe = results.Violations.Where(v => v.Impact is "serious" or "critical").ToList();
        var report = string.Join("\n", severe.Select(v =>
            $"{v.Impact} {v.Id}: {v.Help} at {string.Join(", ", v.Nodes.Take(5).Select(n => n.Target?.ToString()))}"));
        Assert.True(severe.Count == 0, $"axe-core found {severe.Count} serious or critical violations on {page.Url}:\n{report}");
    }
}
