using System.ComponentModel.DataAnnotations;

namespace Apex.Coverage.Web.Standards;

/// <summary>Which suite's source the plan's testing standards are checked against ("Standards:Suite").</summary>
public sealed class StandardsOptions
{
    public const string SectionName = "Standards";

    /// <summary>The configured suite whose project folder is checked; Runs:DefaultSuite when unset.</summary>
    public string? Suite { get; set; }

    /// <summary>Namespaces and packages that count as mocking libraries (a prefix matches its sub-namespaces).</summary>
    [MinLength(1, ErrorMessage = "Standards:MockingLibraries needs at least one name, for example \"Moq\".")]
    public List<string> MockingLibraries { get; set; } =
        ["Moq", "NSubstitute", "FakeItEasy", "Rhino.Mocks", "Telerik.JustMock", "JustMock", "Microsoft.QualityTools.Testing.Fakes", "Foq", "TypeMock", "Mockolate"];
}
