namespace Apex.Integration.Infrastructure;

/// <summary>Where a test server came from; the order in which they are tried.</summary>
public enum ServerSource
{
    /// <summary>A connection string in the environment (APEX_TEST_REDIS, ...): a server someone else runs.</summary>
    Environment,

    /// <summary>Testcontainers, where a Docker engine answers.</summary>
    Container,

    /// <summary>A throwaway server from the local binary, on a free loopback port in a temp directory.</summary>
    LocalProcess,
}
