using System.Xml.Linq;

namespace Apex.Coverage.Web.VsTest;

/// <summary>
/// The runsettings a discovery or run is started with. Discovery honours only the TestCaseFilter
/// written here, a run only the one in TestPlatformOptions, so both are always set. BatchSize 1
/// (the default here) makes the test host send each result as it finishes; a large run asks for
/// <see cref="GroupedBatchSize"/> (ADR 0231). CollectSourceInformation is off as
/// under `dotnet test`: vstest.console started by the translation layer is in design mode, which
/// turns it on (a source file and line looked up for every test case and sent with every result
/// and running test), and the dashboard uses neither (ADR 0063).
/// </summary>
public static class RunSettingsXml
{
    /// <summary>Results per message in a large run: `dotnet test`'s own default.</summary>
    public const int GroupedBatchSize = 10;

    public static string For(string? testCaseFilter, IReadOnlyDictionary<string, string> environment, string? resultsDirectory = null, int batchSize = 1)
    {
        var configuration = new XElement("RunConfiguration", new XElement("BatchSize", batchSize), new XElement("CollectSourceInformation", false));
        if (!string.IsNullOrWhiteSpace(testCaseFilter))
        {
            configuration.Add(new XElement("TestCaseFilter", testCaseFilter));
        }

        if (resultsDirectory is not null)
        {
            configuration.Add(new XElement("ResultsDirectory", resultsDirectory));
        }

        if (environment.Count > 0)
        {
            configuration.Add(new XElement("EnvironmentVariables", environment.Select(e => new XElement(e.Key, e.Value))));
        }

        return new XElement("RunSettings", configuration).ToString(SaveOptions.DisableFormatting);
    }
}
