using Apex.Coverage.Web.Plan;
using Bunit;
using MudBlazor;

namespace Apex.Coverage.Tests.Fixtures;

/// <summary>
/// What a bUnit test of dashboard components starts from: a test database of its own, the real plan
/// published in a <see cref="PlanCatalog"/>, the test's services (<see cref="AddServices"/>: who is
/// signed in, which of the app's services), JS interop in loose mode and MudBlazor's popover and
/// snackbar providers rendered; the database goes when the test ends.
/// </summary>
public abstract class DashboardComponentTest : BunitContext, IAsyncLifetime
{
    protected PlanCatalog Catalog { get; } = new();

    protected TestDatabase Database { get; private set; } = null!;

    /// <summary>Where a MudSelect or a menu opens its list.</summary>
    protected IRenderedComponent<MudPopoverProvider> Popovers { get; private set; } = null!;

    protected static CancellationToken Ct => Xunit.TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync()
    {
        Database = await TestDatabase.CreateAsync();
        var parsed = PlanFixtures.Parse(PlanFixtures.RealPlan);
        Catalog.Publish(new PlanSnapshot(1, parsed.Document, parsed.Findings, DateTimeOffset.UnixEpoch, "plan"), attempt: null);
        AddServices();
        JSInterop.Mode = JSRuntimeMode.Loose;
        Popovers = Render<MudPopoverProvider>();
        Render<MudSnackbarProvider>();
        await StartAsync();
    }

    /// <summary>Registers the services the test's components need and signs someone in.</summary>
    protected abstract void AddServices();

    /// <summary>After the providers are rendered: seed data, start hosted services.</summary>
    protected virtual Task StartAsync() => Task.CompletedTask;

    /// <summary>Before the context and the database go: stop what <see cref="StartAsync"/> started.</summary>
    protected virtual Task StopAsync() => Task.CompletedTask;

    async ValueTask IAsyncDisposable.DisposeAsync()
    {
        await StopAsync();
        await base.DisposeAsync();
        await Database.DisposeAsync();
        GC.SuppressFinalize(this);
    }
}
