using Apex.Integration.Infrastructure;

namespace Apex.Coverage.Tests.Fixtures;

/// <summary>
/// The store tests' collection: one PostgreSQL server for all of them, started when the first of
/// them runs (from APEX_TEST_POSTGRES, Docker, or the local binary on a free loopback port under
/// the L2 suite's watchdog, so it dies with the test host), each test on a database of its own.
/// </summary>
[CollectionDefinition(Name)]
public sealed class PostgresStore : ICollectionFixture<PostgresServer>
{
    public const string Name = "PostgreSQL store";
}

/// <summary>The providers every store test runs on.</summary>
public sealed class BothStores : TheoryData<Web.Data.StoreProvider>
{
    public BothStores()
    {
        Add(Web.Data.StoreProvider.Sqlite);
        Add(Web.Data.StoreProvider.PostgreSql);
    }
}
