using Apex.Coverage.Web.Mutation;
using Apex.Coverage.Web.Selection;

namespace Apex.Coverage.Tests.Mutation;

/// <summary>
/// Which files a mutation run mutates: the item's files in the coverage map (module/path as the
/// coverage report stores them) within its category's modules, else its modules (docs/adr/0251).
/// </summary>
public sealed class MutationTargetingTests
{
    private static readonly string[] AuthModules = ["Auth", "Realtime"];

    [Fact]
    public void Choose_MutatesTheExecutedFilesOfTheCategorysModules_WhenTheMapHasTheItem()
    {
        var mapped = new ItemFiles(14, 42,
        [
            "Auth/Auth/TwoFactor/Totp.cs", "Auth/Auth/AccessTokenIssuer.cs", "Billing/Billing/BillingEndpoints.cs",
            "(root)/PlatformComposition.cs", "(generated)/obj/Debug/net10.0/Logging.g.cs", "realtime/Realtime/RealtimeEndpoints.cs",
        ]);

        var targets = MutationTargeting.Choose(mapped, AuthModules);

        Assert.Equal(["**/Auth/AccessTokenIssuer.cs", "**/Auth/TwoFactor/Totp.cs", "**/Realtime/RealtimeEndpoints.cs"], targets.Mutate);
        Assert.Contains("run 42", targets.From, StringComparison.Ordinal);
        Assert.Contains("3 of the 5 executed files", targets.From, StringComparison.Ordinal);
    }

    [Fact]
    public void Choose_MutatesEveryExecutedFile_WhenNoneLiesInTheCategorysModules()
    {
        var mapped = new ItemFiles(98, 7, ["Billing/Billing/PaymentWebhookProcessor.cs", "(root)/PlatformComposition.cs"]);

        var targets = MutationTargeting.Choose(mapped, AuthModules);

        Assert.Equal(["**/Billing/PaymentWebhookProcessor.cs", "**/PlatformComposition.cs"], targets.Mutate);
        Assert.Contains("all 2 executed files", targets.From, StringComparison.Ordinal);
    }

    [Fact]
    public void Choose_FallsBackToTheCategorysModules_WhenTheMapDoesNotHaveTheItem()
    {
        var targets = MutationTargeting.Choose(null, AuthModules);

        Assert.Equal(["**/Auth/**/*.cs", "**/Realtime/**/*.cs"], targets.Mutate);
        Assert.Contains("category's modules", targets.From, StringComparison.Ordinal);
    }

    [Fact]
    public void Choose_FallsBackToTheCategorysModules_WhenTheItemsMapRunExecutedOnlyGeneratedCode()
    {
        var mapped = new ItemFiles(3, 9, ["(generated)/obj/Debug/net10.0/Logging.g.cs"]);

        Assert.Equal(["**/Auth/**/*.cs", "**/Realtime/**/*.cs"], MutationTargeting.Choose(mapped, AuthModules).Mutate);
    }

    [Fact]
    public void Choose_MutatesNothing_WhenNeitherTheMapNorTheCategoryNamesAFile()
    {
        Assert.Empty(MutationTargeting.Choose(new ItemFiles(3, 9, []), []).Mutate);
    }
}
