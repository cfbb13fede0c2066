using Apex.Integration.Infrastructure;

// One server of each kind for the whole test assembly, started before the first test and
// stopped after the last; test classes receive them through their constructors.
[assembly: AssemblyFixture(typeof(RedisServer))]
[assembly: AssemblyFixture(typeof(PostgresServer))]
[assembly: AssemblyFixture(typeof(ClickHouseServer))]
