using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Security;
using System.Text;
using System.Text.Json;
using Apex.Coverage.Web.ApiTokens;
using Microsoft.Extensions.DependencyInjection;

namespace Apex.Coverage.E2E;

/// <summary>One test case of a JUnit file CI would post; a message makes it a failure.</summary>
public sealed record CiCase(string ClassName, string Name, double Seconds, string? Failure = null);

/// <summary>Posts JUnit files to the real ingestion API with a real token, as CI does.</summary>
public static class CiUploads
{
    public static async Task<long> PostAsync(DashboardServer server, IEnumerable<CiCase> cases, string query)
    {
        using var client = server.CreateClient();
        var token = await server.Services.GetRequiredService<ApiTokenStore>().CreateAsync($"ci-{Guid.NewGuid():N}", CancellationToken.None);
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token.Token);
        using var content = new StringContent(JUnit(cases), Encoding.UTF8, "application/xml");
        using var response = await client.PostAsync($"/api/v1/results?suite={DashboardServer.CiSuite}&{query}", content);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, $"The upload was refused: {(int)response.StatusCode} {text}");
        return JsonDocument.Parse(text).RootElement.GetProperty("id").GetInt64();
    }

    public static async Task<JsonElement> GetRunAsync(DashboardServer server, long id)
    {
        using var client = server.CreateClient();
        var token = await server.Services.GetRequiredService<ApiTokenStore>().CreateAsync($"read-{Guid.NewGuid():N}", CancellationToken.None);
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token.Token);
        return await client.GetFromJsonAsync<JsonElement>($"/api/v1/runs/{id}");
    }

    private static string JUnit(IEnumerable<CiCase> cases)
    {
        var xml = new StringBuilder("<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<testsuites><testsuite name=\"ci\">\n");
        foreach (var c in cases)
        {
            xml.Append(System.Globalization.CultureInfo.InvariantCulture,
                $"<testcase classname=\"{SecurityElement.Escape(c.ClassName)}\" name=\"{SecurityElement.Escape(c.Name)}\" time=\"{c.Seconds}\">");
            if (c.Failure is { } failure)
            {
                xml.Append(System.Globalization.CultureInfo.InvariantCulture,
                    $"<failure message=\"{SecurityElement.Escape(failure)}\">at {SecurityElement.Escape(c.ClassName)}.{SecurityElement.Escape(c.Name)}() in Checkout.cs:line 42</failure>");
            }

            xml.Append("</testcase>\n");
        }

        return xml.Append("</testsuite></testsuites>").ToString();
    }
}
