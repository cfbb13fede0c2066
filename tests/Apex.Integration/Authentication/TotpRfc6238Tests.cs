using Apex.Integration.Infrastructure;
using PlatformTotp = Apex.Platform.Auth.TwoFactor.Totp;

namespace Apex.Integration.Authentication;

/// <summary>
/// Plan item 14, the generator itself: the platform's TOTP reproduces every test vector of
/// RFC 6238 Appendix B, for SHA-1, SHA-256 and SHA-512 with 8 digits.
/// </summary>
[PlanItem(14)]
[BusinessValue("Pro and Enterprise", "Stronger sign-in for accounts that need it",
    "Enhanced security worth $8K MRR compliance", "Interoperates with every standard authenticator app")]
public sealed class TotpRfc6238Tests
{
    [Theory]
    [InlineData(59L, "94287082", "46119246", "90693936")]
    [InlineData(1111111109L, "07081804", "68084774", "25091201")]
    [InlineData(1111111111L, "14050471", "67062674", "99943326")]
    [InlineData(1234567890L, "89005924", "91819424", "93441116")]
    [InlineData(2000000000L, "69279037", "90698825", "38618901")]
    [InlineData(20000000000L, "65353130", "77737706", "47863826")]
    public void Totp_MatchesTheTestVectorsOfRfc6238AppendixB(long unixTime, string sha1, string sha256, string sha512)
    {
        var step = PlatformTotp.StepAt(DateTimeOffset.FromUnixTimeSeconds(unixTime), TimeSpan.FromSeconds(30));

        Assert.Equal(sha1, PlatformTotp.Compute("12345678901234567890"u8.ToArray(), step, 8, "SHA1"));
        Assert.Equal(sha256, PlatformTotp.Compute("12345678901234567890123456789012"u8.ToArray(), step, 8, "SHA256"));
        Assert.Equal(sha512, PlatformTotp.Compute("1234567890123456789012345678901234567890123456789012345678901234"u8.ToArray(), step, 8, "SHA512"));
    }
}
