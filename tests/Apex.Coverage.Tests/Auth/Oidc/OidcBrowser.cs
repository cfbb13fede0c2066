using System.Net;
using System.Text.RegularExpressions;

namespace Apex.Coverage.Tests.Auth.Oidc;

/// <summary>
/// What a browser does in the code flow, over real HTTP: one cookie jar for both hosts, forms posted as
/// a browser posts them, and redirects followed hop by hop, so a test can change a URL on its way (an
/// attacker's tampered state or nonce).
/// </summary>
public sealed partial class OidcBrowser(Uri dashboard) : IDisposable
{
    private readonly HttpClient _http = new(new SocketsHttpHandler { CookieContainer = new CookieContainer(), AllowAutoRedirect = false })
    {
        BaseAddress = dashboard,
    };

    /// <summary>Every URL visited, in order.</summary>
    public List<Uri> Visited { get; } = [];

    public HttpClient Http => _http;

    /// <summary>Presses the provider's button on the sign-in page and follows the redirects to the provider's login form.</summary>
    public async Task<HttpResponseMessage> StartAsync(string returnUrl, Func<Uri, Uri>? tamper = null)
    {
        var page = await GetAsync(new Uri(_http.BaseAddress!, "account/login"));
        var html = await page.Content.ReadAsStringAsync();
        var token = WebUtility.HtmlDecode(AntiforgeryField().Match(html).Groups[1].Value);
        var form = new Dictionary<string, string> { ["returnUrl"] = returnUrl, ["__RequestVerificationToken"] = token };
        return await FollowAsync(await PostAsync(new Uri(_http.BaseAddress!, "account/external"), form), tamper);
    }

    /// <summary>Signs in at the provider's form (the page <see cref="StartAsync"/> ended on) and follows the redirects back.</summary>
    public async Task<HttpResponseMessage> SignInAtProviderAsync(HttpResponseMessage loginForm, string username, Func<Uri, Uri>? tamper = null)
    {
        var at = loginForm.RequestMessage!.RequestUri!;
        var returnUrl = System.Web.HttpUtility.ParseQueryString(at.Query)["ReturnUrl"] ?? throw new InvalidOperationException($"Not the provider's login form: {at}");
        var form = new Dictionary<string, string> { ["username"] = username, ["returnUrl"] = returnUrl };
        return await FollowAsync(await PostAsync(new Uri(at, "/login"), form), tamper);
    }

    public Task<HttpResponseMessage> GetAsync(Uri url)
    {
        Visited.Add(url);
        return _http.GetAsync(url);
    }

    public void Dispose() => _http.Dispose();

    private Task<HttpResponseMessage> PostAsync(Uri url, Dictionary<string, string> form)
    {
        Visited.Add(url);
        return _http.PostAsync(url, new FormUrlEncodedContent(form));
    }

    private async Task<HttpResponseMessage> FollowAsync(HttpResponseMessage response, Func<Uri, Uri>? tamper)
    {
        for (var hop = 0; hop < 12 && (int)response.StatusCode is >= 300 and < 400; hop++)
        {
            var next = new Uri(response.RequestMessage!.RequestUri!, response.Headers.Location!);
            response.Dispose();
            response = await GetAsync(tamper?.Invoke(next) ?? next);
        }

        return response;
    }

    [GeneratedRegex("name=\"__RequestVerificationToken\"[^>]*value=\"([^\"]+)\"")]
    private static partial Regex AntiforgeryField();
}
