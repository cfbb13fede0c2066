using Apex.Coverage.Web.Access;
using Apex.Coverage.Tests.Fixtures;
using System.Net;
using Microsoft.AspNetCore.Mvc.Testing;

namespace Apex.Coverage.Tests;

public sealed class DashboardHostTests(WebApplicationFactory<Program> factory)
    : IClassFixture<WebApplicationFactory<Program>>
{
    [Fact]
    public async Task HomePage_ServesLayoutAndTitle_WhenRequested()
    {
        using var client = await factory.CreateSignedInClientAsync(DashboardRoles.Viewer);

        var html = await client.GetStringAsync("/", TestContext.Current.CancellationToken);

        Assert.Contains("<title>Apex Coverage</title>", html, StringComparison.Ordinal);
        Assert.Contains("mud-appbar", html, StringComparison.Ordinal);
        Assert.Contains("_content/MudBlazor/MudBlazor.min", html, StringComparison.Ordinal);
    }

    [Fact]
    public async Task MudBlazorStylesheet_IsServed_WhenLayoutReferencesIt()
    {
        using var client = await factory.CreateSignedInClientAsync(DashboardRoles.Viewer);
        var html = await client.GetStringAsync("/", TestContext.Current.CancellationToken);
        var href = System.Text.RegularExpressions.Regex.Match(html, "_content/MudBlazor/MudBlazor\\.min[^\"]*\\.css").Value;

        var response = await client.GetAsync(href, TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }
}
