using System.Globalization;
using System.Net;
using Apex.Coverage.Tests.Fixtures;
using Apex.Coverage.Tests.Runs;
using Apex.Coverage.Web.Mutation;
using Apex.Integration.Infrastructure;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using static Apex.Coverage.Tests.Analytics.History;
using static Apex.Coverage.Tests.Mutation.MutationFixtureHost;

namespace Apex.Coverage.Tests.Mutation;

/// <summary>
/// Two real dashboard hosts on one PostgreSQL store (docs/adr/0053): a mutation run executing on one
/// node is canceled from the other (docs/adr/0280). The run is item 3 of the fixture, whose test hangs
/// when asked (tests/fixtures/Apex.Fixture.Mutation.Tests, HangTests): the real Stryker builds, starts
/// its test host and waits for its initial test run forever, so the run is still running, with a live
/// Stryker process tree, whenever the cancel is sent — however slow the machine.
/// </summary>
[Collection(MutationFixtureCollection.Name)]
public sealed class MutationTwoNodesTests(PostgresServer postgres) : IClassFixture<PostgresServer>
{
    private const string HangTest = "Apex.Fixture.Mutation.Tests.HangTests.Total_OfOneItemIsItsPrice_OrHangsWhenAsked";
    private const string HangVariable = "APEX_MUTATION_FIXTURE_HANG";
    private const string FixtureTests = "Apex.Fixture.Mutation.Tests";

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Cancel_StopsStrykerOnTheNodeThatRunsIt_AndTheRunEndsCanceledWithNothingStored_WhenAskedOnTheOtherNode()
    {
        var store = await postgres.CreateDatabaseAsync("mutationnodes");
        var folder = TempFolder.Create("apex-mutation-hang");
        var marker = Path.Combine(folder, "testhost.pid");
        try
        {
            await using var a = await NodeAsync(store, "node-a", marker);
            await using var b = await NodeAsync(store, "node-b", marker);
            await DiscoverAsync(a.Databases, HangTest, "3");

            var id = await a.StartRunAsync(3);
            var testHost = await HangingTestHostAsync(marker);
            var (executing, other) = await ExecutingAsync(a, b, id);
            var hanging = $"{HangVariable}={marker}";
            Assert.NotEmpty(ProcessTable.Carrying(hanging, "stryker"));
            Assert.Contains(testHost, ProcessTable.Carrying(hanging, FixtureTests));
            Assert.False(Running(other, id));

            using var cancel = await other.Client.PostAsync($"/api/v1/mutation/runs/{id}/cancel", null, Ct);
            var ended = await other.WaitForRunAsync(id, IsOver, $"mutation run {id} to end", 120);

            Assert.Equal(HttpStatusCode.Accepted, cancel.StatusCode);
            Assert.Equal(("canceled", "Canceled."), (Status(ended), ended.GetProperty("message").GetString()));
            Assert.Equal((0, 0, 0, 0, 0, 0), (ended.GetProperty("killed").GetInt32(), ended.GetProperty("survived").GetInt32(),
                ended.GetProperty("noCoverage").GetInt32(), ended.GetProperty("timeout").GetInt32(),
                ended.GetProperty("files").GetArrayLength(), ended.GetProperty("survivors").GetArrayLength()));
            Assert.Equal(HttpStatusCode.NotFound, (await executing.Client.GetAsync("/api/v1/mutation/items/3", Ct)).StatusCode);
            await Eventually.ThatAsync(() => Task.FromResult(ProcessTable.Carrying(hanging, "stryker").Concat(ProcessTable.Carrying(hanging, FixtureTests)).ToList()),
                left => left.Count == 0, "Stryker and its test host to be gone", 60);
        }
        finally
        {
            TempFolder.Delete(folder);
        }
    }

    private static Task<MutationFixtureHost> NodeAsync(string store, string name, string marker) => StartAsync(builder =>
    {
        TwoNodesTests.Shared(builder, store, name);
        builder.UseSetting($"Mutation:Environment:{HangVariable}", marker);
        builder.UseSetting($"Mutation:Environment:{ProcessTable.OwnerVariable}", ProcessTable.Owner);
        // Stryker's builds leave no MSBuild node or compiler server behind to outlive the run.
        builder.UseSetting("Mutation:Environment:MSBUILDDISABLENODEREUSE", "1");
        builder.UseSetting("Mutation:Environment:UseSharedCompilation", "false");
    }, tokenName: $"mutation-{name}");

    /// <summary>The process id the hanging test wrote: Stryker's test host is in its initial test run.</summary>
    private static async Task<int> HangingTestHostAsync(string marker)
    {
        var text = await Eventually.ThatAsync(() => Task.FromResult(File.Exists(marker) ? File.ReadAllText(marker) : ""),
            t => int.TryParse(t, NumberStyles.None, CultureInfo.InvariantCulture, out _), "Stryker's test host to run the hanging test", 600);
        return int.Parse(text, NumberStyles.None, CultureInfo.InvariantCulture);
    }

    private static bool Running(MutationFixtureHost node, long id) => node.Services.GetRequiredService<MutationService>().IsRunningHere(id);

    private static async Task<(MutationFixtureHost Executing, MutationFixtureHost Other)> ExecutingAsync(MutationFixtureHost a, MutationFixtureHost b, long id)
    {
        var onA = await Eventually.ThatAsync(() => Task.FromResult((A: Running(a, id), B: Running(b, id))), r => r.A || r.B, $"a node to run mutation run {id}");
        Assert.False(onA is { A: true, B: true }, "Both nodes run the same mutation run.");
        return onA.A ? (a, b) : (b, a);
    }
}
