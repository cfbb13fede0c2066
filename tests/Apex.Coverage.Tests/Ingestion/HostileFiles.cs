using Apex.Coverage.Web.Results;
namespace Apex.Coverage.Tests.Ingestion;

/// <summary>Files an attacker or a broken CI step might post.</summary>
public static class HostileFiles
{
    public static string ExternalEntity(string secretPath) => $"""
        <?xml version="1.0"?>
        <!DOCTYPE testsuites [ <!ENTITY secret SYSTEM "file://{secretPath}"> ]>
        <testsuites><testsuite><testcase classname="A" name="b"><failure message="&secret;" /></testcase></testsuite></testsuites>
        """;

    public const string BillionLaughs = """
        <?xml version="1.0"?>
        <!DOCTYPE lolz [
          <!ENTITY lol "lol">
          <!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
          <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
          <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
          <!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">
          <!ENTITY lol6 "&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;">
          <!ENTITY lol7 "&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;">
          <!ENTITY lol8 "&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;">
          <!ENTITY lol9 "&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;">
        ]>
        <testsuites><testsuite><testcase classname="A" name="&lol9;" /></testsuite></testsuites>
        """;

    public const string Truncated = """
        <testsuites><testsuite name="s"><testcase classname="A" name="b" time="1"><failure message="boom">trace
        """;

    public const string UnknownRoot = """<project><build>ok</build></project>""";

    public const string TrxRootWithoutNamespace = """<TestRun><Results /></TestRun>""";
}
