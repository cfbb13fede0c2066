using System.Net;
using System.Net.Http.Headers;
using Apex.Coverage.Tests.Fixtures;
using Microsoft.AspNetCore.Mvc.Testing;

namespace Apex.Coverage.Tests.Hosting;

/// <summary>An address typed into the browser that matches no page (issue 14, point 6): a real 404 with the app's own page.</summary>
public sealed class NotFoundPageTests(WebApplicationFactory<Program> factory) : IClassFixture<WebApplicationFactory<Program>>
{
    private static HttpRequestMessage Typed(string path)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, path);
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("text/html"));
        return request;
    }

    [Fact]
    public async Task UnknownAddress_Answers404WithTheAppsNotFoundPage_WhenTypedInTheBrowser()
    {
        using var client = factory.CreateClient();

        using var response = await client.SendAsync(Typed("/no/such/page?x=1"), TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal("text/html", response.Content.Headers.ContentType?.MediaType);
        var html = await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);
        Assert.Contains("Nothing lives at this address", html, StringComparison.Ordinal);
        Assert.Contains("<code>/no/such/page</code>", html, StringComparison.Ordinal);
        Assert.Contains("mud-appbar", html, StringComparison.Ordinal); // inside the app's layout, with its navigation
    }

    [Fact]
    public async Task UnknownItemNumber_Answers404_WhenTheRouteConstraintRejectsIt()
    {
        using var client = factory.CreateClient();

        using var response = await client.SendAsync(Typed("/plan/items/not-a-number"), TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Contains("Nothing lives at this address", await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken), StringComparison.Ordinal);
    }

    [Fact]
    public async Task UnknownApiAddress_KeepsProblemDetails_WhenUnderApi()
    {
        using var client = factory.CreateClient();

        using var response = await client.GetAsync("/api/v1/no-such-thing", TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task KnownPage_StillAnswers200_WhenTheNotFoundPageIsInPlace()
    {
        // Signed in, and no redirect followed: the 200 is the page's own, not the sign-in page's.
        using var client = await factory.CreateSignedInClientAsync(Web.Access.DashboardRoles.Viewer,
            options: new WebApplicationFactoryClientOptions { AllowAutoRedirect = false });

        using var response = await client.SendAsync(Typed("/plan"), TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.DoesNotContain("Nothing lives at this address", await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken), StringComparison.Ordinal);
    }
}
