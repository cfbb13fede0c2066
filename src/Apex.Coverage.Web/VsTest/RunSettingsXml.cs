using System.Xml.Linq;

namespace Apex.Coverage.Web.VsTest;

/// <summary>
/// The runsettings a discovery or run is started with. Discovery honours only the TestCaseFilter
/// written here, a run only the one in TestPlatformOptions, so both are always set. BatchSize 1
/// makes vstest.console hand over each result as it finishes. CollectSourceInformation is off as
/// under `dotnet test`: vstest.console started by the translation layer is in design mode, which
/// turns it on (a source file and line looked up for every test case and sent with every result
/// and running test), and the dashboard uses neither (ADR 0063).
/// </summary>
public static class RunSettingsXml
{
    public static string For(string? testCaseFilter, IReadOnlyDictionary<string, string> environment, string? resultsDirectory = null)
    {
        var configuration = new XElement("RunConfiguration", new XElement("BatchSize", 1), new XElement("CollectSourceInformation", false));
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
