using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.VisualStudio.TestPlatform.ObjectModel;
using VsTestOutcome = Microsoft.VisualStudio.TestPlatform.ObjectModel.TestOutcome;
using VsTestResult = Microsoft.VisualStudio.TestPlatform.ObjectModel.TestResult;

namespace Apex.Coverage.Web.TestingPlatform;

/// <summary>
/// One test node as a Microsoft.Testing.Platform app reports it in server mode (`testing/testUpdates/tests`):
/// its uid, display name, location, traits and, in a run, its execution state and outcome details.
/// </summary>
public sealed record TestNodeUpdate(string Uid, string DisplayName, string State, string? Type, string? Method,
    IReadOnlyList<KeyValuePair<string, string>> Traits)
{
    public double? DurationMilliseconds { get; init; }

    public string? ErrorMessage { get; init; }

    public string? StackTrace { get; init; }

    public string? Output { get; init; }

    /// <summary>A superseded attempt of a test retried in the app; its last attempt is its result.</summary>
    public bool Superseded { get; init; }

    public bool IsAction { get; init; } = true;

    public bool IsInProgress => State == "in-progress";

    /// <summary>A state that ends the test: passed, failed, skipped, timed-out, error, cancelled.</summary>
    public bool IsFinished => State is not ("discovered" or "in-progress") && !Superseded;

    /// <summary>
    /// The test's name as VSTest writes it, so history joins across runners: the type's full name
    /// and the method without its parameter list; the display name when the app gives no location.
    /// </summary>
    public string FullyQualifiedName => Type is null || Method is null ? DisplayName : $"{Type}.{Method.Split('(')[0]}";

    /// <summary>
    /// The test case id VSTest would give the same test, so result keys match across runners:
    /// MSTest's and NUnit's uids are their VSTest ids already; xunit v3's uid is its unique id, which
    /// its VSTest adapter turns into an id as below (any other string uid gets a stable id the same way).
    /// </summary>
    public Guid Id => Guid.TryParse(Uid, out var id) ? id : IdFromUniqueId(Uid);

    private const string XunitExecutorUri = "executor://xunit/VsTestRunner3/netcore/";

#pragma warning disable CA5350 // Not security: SHA-1 is what the adapter hashes with; the id must be the same.
    private static Guid IdFromUniqueId(string uid) =>
        new(SHA1.HashData(Encoding.Unicode.GetBytes(XunitExecutorUri + uid)).AsSpan(0, 16));
#pragma warning restore CA5350

    public static TestNodeUpdate Parse(JsonElement node)
    {
        var state = Text(node, "execution-state") ?? "discovered";
        return new TestNodeUpdate(Text(node, "uid") ?? string.Empty, Text(node, "display-name") ?? string.Empty, state,
            Text(node, "location.type"), Text(node, "location.method"), TraitsOf(node))
        {
            DurationMilliseconds = node.TryGetProperty("time.duration-ms", out var ms) && ms.ValueKind == JsonValueKind.Number ? ms.GetDouble() : null,
            ErrorMessage = Text(node, "error.message"),
            StackTrace = Text(node, "error.stacktrace"),
            Output = string.Join(Environment.NewLine, new[] { Text(node, "standardOutput"), Text(node, "standardError") }.Where(t => !string.IsNullOrEmpty(t))),
            Superseded = node.TryGetProperty("retry.is-superseded", out var superseded) && superseded.ValueKind == JsonValueKind.True,
            IsAction = Text(node, "node-type") != "group",
        };
    }

    /// <summary>The node as the VSTest test case the recorder and discovery already understand.</summary>
    public TestCase ToTestCase(string source)
    {
        var test = new TestCase(FullyQualifiedName, new Uri("executor://microsoft-testing-platform"), source)
        {
            Id = Id,
            DisplayName = DisplayName,
        };
        test.Traits.AddRange(Traits.Select(t => new Trait(t.Key, t.Value)));
        test.SetPropertyValue(UidProperty, Uid);
        return test;
    }

    public VsTestResult ToResult(TestCase test) => new VsTestResult(test)
    {
        DisplayName = DisplayName,
        Outcome = State switch
        {
            "passed" => VsTestOutcome.Passed,
            "skipped" => VsTestOutcome.Skipped,
            _ => VsTestOutcome.Failed,
        },
        ErrorMessage = State is "timed-out" or "cancelled" or "canceled" && ErrorMessage is null ? $"The test ended {State}." : ErrorMessage,
        ErrorStackTrace = StackTrace,
        Duration = TimeSpan.FromMilliseconds(DurationMilliseconds ?? 0),
    }.WithOutput(Output);

    /// <summary>Where a discovered test case keeps its node uid, to ask the app to run just that test.</summary>
    public static readonly TestProperty UidProperty =
        TestProperty.Register("Apex.TestingPlatform.Uid", "Test node uid", typeof(string), typeof(TestNodeUpdate));

    private static string? Text(JsonElement node, string name) =>
        node.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    // Traits come as [{"Key": k, "Value": v}] (MTP 2) or [{k: v}] (older servers).
    private static List<KeyValuePair<string, string>> TraitsOf(JsonElement node)
    {
        if (!node.TryGetProperty("traits", out var traits) || traits.ValueKind != JsonValueKind.Array)
        {
            return [];
        }

        var found = new List<KeyValuePair<string, string>>();
        foreach (var trait in traits.EnumerateArray().Where(t => t.ValueKind == JsonValueKind.Object))
        {
            var properties = trait.EnumerateObject().ToList();
            var key = properties.FirstOrDefault(p => p.NameEquals("Key") || p.NameEquals("key"));
            var value = properties.FirstOrDefault(p => p.NameEquals("Value") || p.NameEquals("value"));
            if (key.Value.ValueKind == JsonValueKind.String)
            {
                found.Add(new(key.Value.GetString()!, value.Value.ValueKind == JsonValueKind.String ? value.Value.GetString()! : string.Empty));
            }
            else
            {
                found.AddRange(properties.Select(p => KeyValuePair.Create(p.Name, p.Value.ValueKind == JsonValueKind.String ? p.Value.GetString()! : string.Empty)));
            }
        }

        return found;
    }
}

internal static class TestResultOutput
{
    public static VsTestResult WithOutput(this VsTestResult result, string? output)
    {
        if (!string.IsNullOrEmpty(output))
        {
            result.Messages.Add(new TestResultMessage(TestResultMessage.StandardOutCategory, output));
        }

        return result;
    }
}
