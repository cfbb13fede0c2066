namespace Apex.Coverage.Web.Hosting;

/// <summary>
/// An address typed into the browser that matches no page answers 404 with the app's own
/// not-found page (Components/Pages/NotFound.razor), not the server's empty 404. The API keeps its
/// problem details (UseApiProblems); the badge keeps its plain status.
/// </summary>
public static class NotFoundPage
{
    public const string Path = "/not-found";

    public static WebApplication UseNotFoundPage(this WebApplication app)
    {
        app.UseWhen(IsPageRequest, pages => pages.UseStatusCodePagesWithReExecute(Path, createScopeForStatusCodePages: true));
        // Routing runs after the re-execution point, so the re-executed request finds the page's
        // endpoint; with WebApplication's implicit routing it would run once, before it.
        app.UseRouting();
        return app;
    }

    private static bool IsPageRequest(HttpContext context) =>
        HttpMethods.IsGet(context.Request.Method)
        && !EdgeHardening.IsApi(context)
        && !context.Request.Path.StartsWithSegments("/badge", StringComparison.OrdinalIgnoreCase);
}
