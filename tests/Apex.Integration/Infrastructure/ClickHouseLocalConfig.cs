namespace Apex.Integration.Infrastructure;

/// <summary>The smallest configuration ClickHouse 18.16 starts with: loopback only, everything in one temp directory.</summary>
internal static class ClickHouseLocalConfig
{
    public const string Users = """
        <?xml version="1.0"?>
        <yandex>
          <profiles><default><max_memory_usage>2000000000</max_memory_usage></default></profiles>
          <users><default><password></password><networks><ip>127.0.0.1</ip><ip>::1</ip></networks>
            <profile>default</profile><quota>default</quota></default></users>
          <quotas><default><interval><duration>3600</duration><queries>0</queries><errors>0</errors>
            <result_rows>0</result_rows><read_rows>0</read_rows><execution_time>0</execution_time></interval></default></quotas>
        </yandex>
        """;

    public static string Server(string directory, int httpPort, int tcpPort) => $"""
        <?xml version="1.0"?>
        <yandex>
          <logger><level>warning</level><console>1</console></logger>
          <http_port>{httpPort}</http_port>
          <tcp_port>{tcpPort}</tcp_port>
          <listen_host>127.0.0.1</listen_host>
          <path>{directory}/data/</path>
          <tmp_path>{directory}/tmp/</tmp_path>
          <user_files_path>{directory}/user_files/</user_files_path>
          <format_schema_path>{directory}/format_schemas/</format_schema_path>
          <mark_cache_size>67108864</mark_cache_size>
          <uncompressed_cache_size>67108864</uncompressed_cache_size>
          <users_config>users.xml</users_config>
          <default_profile>default</default_profile>
          <default_database>default</default_database>
          <mlock_executable>false</mlock_executable>
        </yandex>
        """;
}
