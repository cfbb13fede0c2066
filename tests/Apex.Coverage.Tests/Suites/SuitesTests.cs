using Apex.Coverage.Web.Suites;

namespace Apex.Coverage.Tests.Suites;

public sealed class SuitesTests
{
    [Fact]
    public void Validate_NamesTheKey_WhenAssemblyIsMissing()
    {
        var options = new SuitesOptions { ["L2"] = new SuiteDefinition { Project = "p.csproj", RunTimeout = TimeSpan.FromMinutes(1) } };

        var result = new SuitesOptionsValidator().Validate(null, options);

        Assert.True(result.Failed);
        Assert.Contains("Suites:L2:Assembly is required", result.FailureMessage, StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_RefusesSuitesSharingAQueue_WhenNamesDifferOnlyInPunctuation()
    {
        var options = new SuitesOptions
        {
            ["my-suite"] = new SuiteDefinition { Assembly = "a.dll", BuildBeforeRun = false },
            ["my.suite"] = new SuiteDefinition { Assembly = "b.dll", BuildBeforeRun = false },
        };

        Assert.Contains("differ only in punctuation", new SuitesOptionsValidator().Validate(null, options).FailureMessage, StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_RequiresProject_WhenBuildBeforeRunIsOn() =>
        Assert.Contains("Suites:X:Project is required",
            new SuitesOptionsValidator().Validate(null, new SuitesOptions { ["X"] = new SuiteDefinition { Assembly = "a.dll" } }).FailureMessage,
            StringComparison.Ordinal);

    [Fact]
    public void QueueName_IsLowerCaseWithUnderscores_ForAnySuiteName() =>
        Assert.Equal("suite_my_suite_2", SuiteQueue.NameOf("My Suite.2"));
}
