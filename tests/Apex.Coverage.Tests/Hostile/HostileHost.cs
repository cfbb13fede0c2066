using System.Net.Http.Headers;
using System.Text;
using Apex.Coverage.Tests.Ingestion;
using Apex.Coverage.Web.Results;
using Microsoft.EntityFrameworkCore;

namespace Apex.Coverage.Tests.Hostile;

/// <summary>
/// One real dashboard host per hostile test class (its own SQLite file), with small limits so an
/// attack is cheap to stage: 100 results per file, 2 MB bodies. Any suite name is taken, so each
/// test isolates its writes under a suite of its own and can prove that nothing was written there.
/// </summary>
public sealed class HostileHost() : IAsyncLifetime
{
    public const int MaxResults = 100;

    public IngestionHostFactory Factory { get; } = new(maxBodyBytes: 2 * 1024 * 1024, builder =>
    {
        builder.UseSetting("Ingestion:AllowUnknownSuites", "true");
        builder.UseSetting("Ingestion:MaxResultsPerFile", $"{MaxResults}");
    });

    public HttpClient Client { get; private set; } = null!;

    public async ValueTask InitializeAsync() => Client = await Factory.CreateAuthorizedClientAsync("hostile");

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        await Factory.DisposeAsync();
    }

    public static string NewSuite() => $"h{Guid.NewGuid():N}"[..12];

    public static ByteArrayContent Xml(string xml) => ResultsApiTests.Xml(Encoding.UTF8.GetBytes(xml));

    public Task<HttpResponseMessage> UploadAsync(string suite, string xml, CancellationToken cancellationToken) =>
        Client.PostAsync($"/api/v1/results?suite={suite}&commit=c1", Xml(xml), cancellationToken);

    /// <summary>Nothing of the suite is stored: no run, no result, no test.</summary>
    public Task AssertNothingWrittenAsync(string suite) => new HostileHostAssertions(Factory).AssertNothingWrittenAsync(suite);

    /// <summary>A test the suite's build made known, as discovery stores it.</summary>
    public async Task DiscoverAsync(string suite, string fullyQualifiedName, string planItems)
    {
        await using var db = Factory.CreateDbContext();
        db.DiscoveredTests.Add(new DiscoveredTest
        {
            SuiteName = suite,
            FullyQualifiedName = fullyQualifiedName,
            DisplayName = fullyQualifiedName,
            Source = "/repo/tests/Apex.Integration/bin/Apex.Integration.dll",
            TraitsJson = $$"""{"PlanId":["{{planItems}}"]}""",
            PlanItems = planItems,
            FirstSeenAt = DateTimeOffset.UtcNow,
            LastSeenAt = DateTimeOffset.UtcNow,
            MappedByDiscovery = true,
        });
        await db.SaveChangesAsync();
    }

    public static string JUnit(params string[] testcases) =>
        $"""<testsuites><testsuite name="s">{string.Concat(testcases)}</testsuite></testsuites>""";

    public static string Case(string className, string name, string inner = "", string time = "0.1") =>
        $"""<testcase classname="{className}" name="{name}" time="{time}">{inner}</testcase>""";

    public static string PlanId(string value) => $"""<properties><property name="PlanId" value="{value}" /></properties>""";

    public static MediaTypeHeaderValue XmlType => new("application/xml");
}

/// <summary>What "nothing was written" means for a suite, on any host.</summary>
public sealed class HostileHostAssertions(IngestionHostFactory factory)
{
    public async Task AssertNothingWrittenAsync(string suite)
    {
        await using var db = factory.CreateDbContext();
        Assert.Equal((0, 0, 0), (
            await db.TestRuns.CountAsync(r => r.SuiteName == suite),
            await db.TestResults.CountAsync(r => r.SuiteName == suite),
            await db.DiscoveredTests.CountAsync(t => t.SuiteName == suite)));
    }
}
