using Apex.Coverage.Tests.Fixtures;
using Apex.Coverage.Web.Access;
using Apex.Coverage.Web.Components.Runs;
using Apex.Coverage.Web.Data;
using Apex.Coverage.Web.Plan;
using Apex.Coverage.Web.Results;
using Apex.Coverage.Web.Runs;
using Bunit;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using MudBlazor;
using MudBlazor.Services;

namespace Apex.Coverage.Tests.Runs;

/// <summary>
/// The run page as one dashboard node serves it: rendered with that node's own singletons (its store,
/// notifier, relay-fed active runs and run requests), so what the page shows is what that node knows.
/// </summary>
internal sealed class NodePage : IAsyncDisposable
{
    private readonly BunitContext _context = new();

    public NodePage(RunnerHostFactory node, long runId)
    {
        var services = node.Services;
        var database = services.GetRequiredService<IDbContextFactory<CoverageDbContext>>();
        _context.Services.AddMudServices();
        _context.SignInAs(DashboardRoles.Viewer, database);
        _context.Services.AddSingleton(database);
        _context.Services.AddSingleton(services.GetRequiredService<RunReader>());
        _context.Services.AddSingleton(services.GetRequiredService<RunNotifier>());
        _context.Services.AddSingleton(services.GetRequiredService<ActiveRuns>());
        _context.Services.AddSingleton(services.GetRequiredService<RunRequests>());
        _context.Services.AddSingleton(services.GetRequiredService<PlanCatalog>());
        _context.Services.AddSingleton(services.GetRequiredService<TimeProvider>());
        _context.JSInterop.Mode = JSRuntimeMode.Loose;
        _context.Render<MudPopoverProvider>();
        _context.Render<MudSnackbarProvider>();
        Page = _context.Render<RunPage>(p => p.Add(c => c.Id, runId));
        Page.WaitForElement("[data-testid=run-status]");
        FirstStatus = Status;
    }

    public IRenderedComponent<RunPage> Page { get; }

    /// <summary>The status the page showed when it was opened.</summary>
    public string FirstStatus { get; }

    /// <summary>The status as the API names it (the chip's data-status; its text is in words).</summary>
    public string Status => Page.Find("[data-testid=run-status]").GetAttribute("data-status")!;

    public int Rows => Page.FindAll("[data-testid=run-results] tbody tr").Count;

    /// <summary>Waits (re-checking on each render) until the assertion holds, for up to 30 s.</summary>
    public void WaitUntil(Action assertion) => Page.WaitForAssertion(assertion, TimeSpan.FromSeconds(30));

    public ValueTask DisposeAsync() => _context.DisposeAsync();
}
