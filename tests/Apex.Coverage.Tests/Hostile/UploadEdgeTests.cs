using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Apex.Coverage.Tests.Ingestion;
using Microsoft.EntityFrameworkCore;

namespace Apex.Coverage.Tests.Hostile;

/// <summary>
/// Issue 15's upload attacks through the real host: each one is answered as it should be, and a
/// refused one leaves nothing of its suite stored.
/// </summary>
public sealed class UploadEdgeTests(HostileHost host) : IClassFixture<HostileHost>
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task PostResults_CutsNamesWithMarker_WhenNamesAreHuge()
    {
        var suite = HostileHost.NewSuite();
        var cases = Enumerable.Range(0, 40).Select(i => HostileHost.Case($"Evil.C{i}", new string('n', 10 * 1024) + i)).ToList();
        cases.Add(HostileHost.Case("Evil", new string('m', 1024 * 1024)));

        using var response = await host.UploadAsync(suite, HostileHost.JUnit([.. cases]), Ct);

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        await using var db = host.Factory.CreateDbContext();
        var names = await db.DiscoveredTests.Where(t => t.SuiteName == suite).Select(t => t.FullyQualifiedName).ToListAsync(Ct);
        Assert.Equal(41, names.Distinct().Count());
        Assert.All(names, n => Assert.True(n.Length <= 960, $"a name of {n.Length} characters was stored"));
        Assert.All(names, n => Assert.Matches(@"…\[\+\d+ chars, sha256 [0-9a-f]{12}\]$", n));
        var results = await db.TestResults.Where(r => r.SuiteName == suite).Select(r => r.DisplayName).ToListAsync(Ct);
        Assert.All(results, n => Assert.True(n.Length <= 960));
        var run = await db.TestRuns.SingleAsync(r => r.SuiteName == suite, Ct);
        Assert.Contains("41 test name(s) longer than 960 characters were cut", run.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task PostResults_Answers413AndStoresNothing_WhenFileHasMoreResultsThanAllowed()
    {
        var suite = HostileHost.NewSuite();
        var cases = Enumerable.Range(0, HostileHost.MaxResults + 1).Select(i => HostileHost.Case("Many", $"T{i}")).ToArray();

        using var response = await host.UploadAsync(suite, HostileHost.JUnit(cases), Ct);

        var problem = await BadUploadTests.AssertProblemAsync(response, 413, "Too many results in one file");
        Assert.Contains("Ingestion:MaxResultsPerFile", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
        await host.AssertNothingWrittenAsync(suite);
    }

    [Theory]
    [InlineData("1e308")]
    [InlineData("99999999999")]
    public async Task PostResults_ClampsAndFlagsDuration_WhenDurationIsAbsurd(string time)
    {
        var suite = HostileHost.NewSuite();

        using var response = await host.UploadAsync(suite, HostileHost.JUnit(HostileHost.Case("Slow", "Forever", time: time)), Ct);

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        await using var db = host.Factory.CreateDbContext();
        var result = await db.TestResults.SingleAsync(r => r.SuiteName == suite, Ct);
        Assert.Equal(86_400, result.DurationSeconds);
        Assert.StartsWith("[apex] The file gave a duration of", result.Output, StringComparison.Ordinal);
        var run = await db.TestRuns.SingleAsync(r => r.SuiteName == suite, Ct);
        Assert.Contains("1 duration(s) above 24 h were clamped", run.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("<testsuites />")]
    [InlineData("<testsuites><testsuite name=\"empty\" tests=\"0\" /></testsuites>")]
    [InlineData("<TestRun xmlns=\"http://microsoft.com/schemas/VisualStudio/TeamTest/2010\"><Results /></TestRun>")]
    public async Task PostResults_Answers400AndStoresNoPassedRun_WhenFileHasNoResults(string xml)
    {
        var suite = HostileHost.NewSuite();

        using var response = await host.UploadAsync(suite, xml, Ct);

        await BadUploadTests.AssertProblemAsync(response, 400, "No test results");
        await host.AssertNothingWrittenAsync(suite);
    }

    [Fact]
    public async Task PostResults_Answers400AndStoresNothing_WhenFormHasTwoFiles()
    {
        var suite = HostileHost.NewSuite();
        using var form = new MultipartFormDataContent
        {
            { FileOf(HostileHost.JUnit(HostileHost.Case("A", "one"))), "file", "a.xml" },
            { FileOf(HostileHost.JUnit(HostileHost.Case("B", "two"))), "file2", "b.xml" },
        };

        using var response = await host.Client.PostAsync($"/api/v1/results?suite={suite}", form, Ct);

        var problem = await BadUploadTests.AssertProblemAsync(response, 400, "More than one file in the form");
        Assert.Contains("'b.xml'", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
        await host.AssertNothingWrittenAsync(suite);
    }

    [Fact]
    public async Task PostResults_TakesText_WhenFailureHasChildElements()
    {
        var suite = HostileHost.NewSuite();
        var failure = """<failure message="boom"><pre>line one</pre><b>at Evil.Test()</b></failure>""";

        using var response = await host.UploadAsync(suite, HostileHost.JUnit(HostileHost.Case("Evil", "Fails", failure)), Ct);

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        await using var db = host.Factory.CreateDbContext();
        var result = await db.TestResults.SingleAsync(r => r.SuiteName == suite, Ct);
        Assert.Equal(("boom", "line oneat Evil.Test()"), (result.ErrorMessage, result.StackTrace));
    }

    [Fact]
    public async Task PostResults_Answers409AndKeepsFirstRun_WhenIdempotencyKeyIsReusedWithOtherBody()
    {
        var suite = HostileHost.NewSuite();
        using var first = await SendWithKeyAsync(suite, "deploy-1", HostileHost.JUnit(HostileHost.Case("K", "first")));
        using var again = await SendWithKeyAsync(suite, "deploy-1", HostileHost.JUnit(HostileHost.Case("K", "first")));
        using var other = await SendWithKeyAsync(suite, "deploy-1", HostileHost.JUnit(HostileHost.Case("K", "second")));

        Assert.Equal((HttpStatusCode.Created, HttpStatusCode.OK), (first.StatusCode, again.StatusCode));
        await BadUploadTests.AssertProblemAsync(other, 409, "Idempotency-Key already used for another file");
        await using var db = host.Factory.CreateDbContext();
        Assert.Equal(["K.first"], await db.TestResults.Where(r => r.SuiteName == suite).Select(r => r.FullyQualifiedName).ToListAsync(Ct));
    }

    [Fact]
    public async Task PostResults_Answers400AndStoresNothing_WhenXmlAttacks()
    {
        foreach (var (xml, title) in new[]
        {
            (HostileFiles.ExternalEntity("/etc/passwd"), "DTD not allowed"),
            (HostileFiles.BillionLaughs, "DTD not allowed"),
            (HostileFiles.Truncated, "Result file is not well-formed XML"),
            (HostileFiles.UnknownRoot, "Not a TRX or JUnit XML file"),
        })
        {
            var suite = HostileHost.NewSuite();
            using var response = await host.UploadAsync(suite, xml, Ct);

            var problem = await BadUploadTests.AssertProblemAsync(response, 400, title);
            Assert.DoesNotContain("root:", problem.GetRawText(), StringComparison.Ordinal);
            await host.AssertNothingWrittenAsync(suite);
        }
    }

    [Fact]
    public async Task PostResults_Answers413AndStoresNothing_WhenGzipBombOrBodyOverLimit()
    {
        var suite = HostileHost.NewSuite();
        var bomb = ResultsApiTests.Xml(IngestionFixtures.Gzip(Encoding.UTF8.GetBytes("<testsuites>" + new string(' ', 64 * 1024 * 1024) + "</testsuites>")));
        bomb.Headers.ContentEncoding.Add("gzip");
        var big = HostileHost.Xml("<testsuites>" + new string(' ', 3 * 1024 * 1024) + "</testsuites>");

        using var bombed = await host.Client.PostAsync($"/api/v1/results?suite={suite}", bomb, Ct);
        using var large = await host.Client.PostAsync($"/api/v1/results?suite={suite}", big, Ct);

        await BadUploadTests.AssertProblemAsync(bombed, 413, "Result file too large");
        await BadUploadTests.AssertProblemAsync(large, 413, "Result file too large");
        await host.AssertNothingWrittenAsync(suite);
    }

    [Fact]
    public async Task PostResults_Answers401AndStoresNothing_WhenTokenIsMissingGarbageOrInQuery()
    {
        var suite = HostileHost.NewSuite();
        using var anonymous = host.Factory.CreateClient();
        var body = HostileHost.JUnit(HostileHost.Case("A", "b"));
        var token = host.Client.DefaultRequestHeaders.Authorization!.Parameter;

        using var none = await anonymous.PostAsync($"/api/v1/results?suite={suite}", HostileHost.Xml(body), Ct);
        using var inQuery = await anonymous.PostAsync($"/api/v1/results?suite={suite}&access_token={token}", HostileHost.Xml(body), Ct);
        anonymous.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", "apex_" + new string('x', 40));
        using var garbage = await anonymous.PostAsync($"/api/v1/results?suite={suite}", HostileHost.Xml(body), Ct);

        Assert.Equal([HttpStatusCode.Unauthorized, HttpStatusCode.Unauthorized, HttpStatusCode.Unauthorized],
            [none.StatusCode, inQuery.StatusCode, garbage.StatusCode]);
        await host.AssertNothingWrittenAsync(suite);
    }

    private Task<HttpResponseMessage> SendWithKeyAsync(string suite, string key, string xml)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, $"/api/v1/results?suite={suite}") { Content = HostileHost.Xml(xml) };
        request.Headers.Add("Idempotency-Key", key);
        return host.Client.SendAsync(request, Ct);
    }

    private static ByteArrayContent FileOf(string xml)
    {
        var content = new ByteArrayContent(Encoding.UTF8.GetBytes(xml));
        content.Headers.ContentType = HostileHost.XmlType;
        return content;
    }
}
