using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using Apex.Coverage.Tests.Fixtures;
using Apex.Coverage.Web.ApiTokens;
using Apex.Coverage.Web.Results;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Apex.Coverage.Tests.Ingestion;

public sealed class ApiTokenTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task CreateAsync_StoresOnlyTheHash_WhenTokenIsMade()
    {
        await using var database = await TestDatabase.CreateAsync();
        var store = new ApiTokenStore(database, TimeProvider.System);

        var created = await store.CreateAsync("ci", Ct);

        Assert.StartsWith("apex_", created.Token, StringComparison.Ordinal);
        Assert.True(created.Token.Length >= 45);
        await using var db = database.CreateDbContext();
        var row = await db.ApiTokens.SingleAsync(Ct);
        Assert.Equal(ApiTokenStore.HashOf(created.Token), row.Hash);
        Assert.DoesNotContain(created.Token[12..], row.Hash + row.Prefix, StringComparison.Ordinal);
        Assert.Equal("ci", await store.FindNameAsync(created.Token, Ct));
    }

    [Fact]
    public async Task FindNameAsync_ReturnsNull_WhenTokenIsRevokedOrAltered()
    {
        await using var database = await TestDatabase.CreateAsync();
        var store = new ApiTokenStore(database, TimeProvider.System);
        var created = await store.CreateAsync("ci", Ct);
        var altered = created.Token[..^1] + (created.Token[^1] == 'a' ? 'b' : 'a');

        var alteredName = await store.FindNameAsync(altered, Ct);
        Assert.True(await store.RevokeAsync("ci", Ct));
        var revokedName = await store.FindNameAsync(created.Token, Ct);

        Assert.Equal((null, null), (alteredName, revokedName));
    }

    [Fact]
    public async Task CreateAsync_RefusesSecondLiveName_ButAllowsItAfterRevoke()
    {
        await using var database = await TestDatabase.CreateAsync();
        var store = new ApiTokenStore(database, TimeProvider.System);
        await store.CreateAsync("ci", Ct);

        var taken = await Assert.ThrowsAsync<ApiTokenException>(() => store.CreateAsync("ci", Ct));
        var invalid = await Assert.ThrowsAsync<ApiTokenException>(() => store.CreateAsync("no spaces", Ct));
        await store.RevokeAsync("ci", Ct);
        var again = await store.CreateAsync("ci", Ct);

        Assert.Contains("already exists", taken.Message, StringComparison.Ordinal);
        Assert.Contains("letters, digits", invalid.Message, StringComparison.Ordinal);
        Assert.Equal("ci", await store.FindNameAsync(again.Token, Ct));
        Assert.Equal(2, (await store.ListAsync(Ct)).Count);
    }

    [Theory]
    [InlineData(null, "API token required")]
    [InlineData("Basic dXNlcjpwYXNz", "API token required")]
    [InlineData("Bearer apex_notARealTokenAtAllXXXXXXXXXXXXXXXXXXXXXXXXXXXX", "API token not accepted")]
    public async Task PostResults_Answers401_WhenTokenIsMissingOrWrong(string? authorization, string title)
    {
        await using var factory = new IngestionHostFactory();
        using var client = factory.CreateClient();
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/v1/results")
        {
            Content = ResultsApiTests.Xml(IngestionFixtures.Bytes(IngestionFixtures.XunitTrx)),
        };
        if (authorization is not null)
        {
            request.Headers.TryAddWithoutValidation("Authorization", authorization);
        }

        using var response = await client.SendAsync(request, Ct);

        await BadUploadTests.AssertProblemAsync(response, 401, title);
        Assert.Equal("Bearer", response.Headers.WwwAuthenticate.Single().Scheme);
        await using var db = factory.CreateDbContext();
        Assert.Equal(0, await db.TestRuns.CountAsync(Ct));
    }

    [Fact]
    public async Task PostResults_Answers401_WhenTokenWasRevoked()
    {
        await using var factory = new IngestionHostFactory();
        using var client = await factory.CreateAuthorizedClientAsync("ci");
        await factory.Services.GetRequiredService<ApiTokenStore>().RevokeAsync("ci", Ct);

        using var response = await client.PostAsync("/api/v1/results", ResultsApiTests.Xml(IngestionFixtures.Bytes(IngestionFixtures.XunitTrx)), Ct);

        await BadUploadTests.AssertProblemAsync(response, 401, "API token not accepted");
    }

    [Fact]
    public async Task RunsApiWrites_Answer401WithoutToken_AndPassTheFilterWithOne()
    {
        await using var factory = new IngestionHostFactory();
        using var anonymous = factory.CreateClient();
        using var authorized = await factory.CreateAuthorizedClientAsync();

        using var start = await anonymous.PostAsJsonAsync("/api/v1/runs", new { category = "no-such-category" }, Ct);
        using var cancel = await anonymous.PostAsync("/api/v1/runs/999/cancel", null, Ct);
        using var cancelWithToken = await authorized.PostAsync("/api/v1/runs/999/cancel", null, Ct);

        await BadUploadTests.AssertProblemAsync(start, 401, "API token required");
        await BadUploadTests.AssertProblemAsync(cancel, 401, "API token required");
        Assert.Equal(HttpStatusCode.NotFound, cancelWithToken.StatusCode);
        await using var db = factory.CreateDbContext();
        Assert.Equal(0, await db.TestRuns.CountAsync(Ct));
    }

    [Fact]
    public async Task RunAsync_PrintsTokenAloneOnLastLine_AndListsAndRevokesIt()
    {
        var folder = TempFolder.Create("apex-cli");
        try
        {
            var data = $"--Data:ConnectionString=Data Source={Path.Combine(folder, "cli.db")};Pooling=False";
            var (created, output) = await RunCliAsync(["tokens", "create", "--name", "ci", data]);
            var token = output.TrimEnd().Split('\n')[^1];
            var (listed, list) = await RunCliAsync(["tokens", "list", data]);
            var (revoked, _) = await RunCliAsync(["tokens", "revoke", "--name", "ci", data]);
            var (missing, _) = await RunCliAsync(["tokens", "revoke", "--name", "ci", data]);

            Assert.Equal((0, 0, 0, 1), (created, listed, revoked, missing));
            Assert.Matches("^apex_[A-Za-z0-9_-]{43}$", token);
            Assert.Contains($"ci\t{token[..12]}…", list, StringComparison.Ordinal);
            Assert.DoesNotContain(token, list, StringComparison.Ordinal);
        }
        finally
        {
            TempFolder.Delete(folder);
        }
    }

    [Fact]
    public async Task RunAsync_PrintsUsage_WhenNameIsMissing()
    {
        using var output = new StringWriter();
        using var error = new StringWriter();

        var exit = await TokenCommandLine.RunAsync(["tokens", "create"], output, error);

        Assert.Equal(2, exit);
        Assert.Contains("tokens create --name NAME", error.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task BuiltDll_MakesTokenTheApiAccepts_WhenRunFromAFolderWithItsConfiguration()
    {
        await using var factory = new IngestionHostFactory();
        using var client = factory.CreateClient();
        var workingDirectory = TempFolder.Create("apex-cli-root");
        try
        {
            var token = await CliProcess.CreateTokenAsync(workingDirectory, factory.ConnectionString, "from-cli", Ct);
            client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);

            using var response = await client.PostAsync("/api/v1/results", ResultsApiTests.Xml(IngestionFixtures.Bytes(IngestionFixtures.XunitTrx)), Ct);

            Assert.Equal(HttpStatusCode.Created, response.StatusCode);
            await using var db = factory.CreateDbContext();
            Assert.Equal("from-cli", (await db.TestRuns.SingleAsync(Ct)).TokenName);
        }
        finally
        {
            TempFolder.Delete(workingDirectory);
        }
    }

    private static async Task<(int Exit, string Output)> RunCliAsync(string[] args)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        var exit = await TokenCommandLine.RunAsync(args, output, error);
        return (exit, output.ToString());
    }
}
