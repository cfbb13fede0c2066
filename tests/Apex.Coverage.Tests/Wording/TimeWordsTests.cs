using System.Globalization;
using Apex.Coverage.Tests.Fixtures;
using Apex.Coverage.Web.Components;

namespace Apex.Coverage.Tests.Wording;

/// <summary>
/// ADR 0290: every page writes a moment as "26 Nov 2026, 09:07 UTC" and a duration as "1.2 s" or
/// "3 min 4 s", whatever offset the moment carries and whatever culture the server runs under.
/// </summary>
public sealed class TimeWordsTests
{
    private static readonly string[] Cultures = ["en-US", .. CultureScope.Others];

    private static void InEveryCulture(Action assertion)
    {
        foreach (var name in Cultures)
        {
            using var culture = new CultureScope(name);
            assertion();
        }
    }

    [Fact]
    public void CultureScope_ChangesHowDotNetWritesNumbersAndDates_WhenTheCultureIsGermanOrThai()
    {
        // Without this the tests below would prove nothing: the cultures must really write otherwise.
        var moment = new DateTime(2026, 11, 26, 9, 7, 0, DateTimeKind.Utc);
        using (new CultureScope("de-DE"))
        {
            Assert.Equal("1,5", 1.5.ToString(CultureInfo.CurrentCulture));
        }

        using (new CultureScope("th-TH"))
        {
            Assert.Equal("2569", moment.ToString("yyyy", CultureInfo.CurrentCulture));
        }
    }

    [Fact]
    public void Moment_WritesTheInstantInUtc_WhateverOffsetItCarries()
    {
        InEveryCulture(() =>
        {
            Assert.Equal("26 Nov 2026, 09:07 UTC", TimeWords.Moment(new DateTimeOffset(2026, 11, 26, 11, 7, 42, TimeSpan.FromHours(2))));
            Assert.Equal("1 Jan 2027, 00:30 UTC", TimeWords.Moment(new DateTimeOffset(2026, 12, 31, 19, 30, 0, TimeSpan.FromHours(-5))));
            Assert.Equal("5 Mar 2026, 23:59 UTC", TimeWords.Moment(new DateTimeOffset(2026, 3, 5, 23, 59, 59, TimeSpan.Zero)));
        });
    }

    [Fact]
    public void Moment_SaysWhatTheCallerGives_WhenThereIsNoMoment()
    {
        Assert.Equal("—", TimeWords.Moment((DateTimeOffset?)null));
        Assert.Equal("Never", TimeWords.Moment(null, "Never"));
        Assert.Equal("26 Nov 2026, 09:07 UTC", TimeWords.Moment((DateTimeOffset?)new DateTimeOffset(2026, 11, 26, 9, 7, 0, TimeSpan.Zero), "Never"));
    }

    [Fact]
    public void Tick_WritesDayMonthAndTimeInUtc_ForAChartAxis()
    {
        InEveryCulture(() => Assert.Equal("26 Nov 09:07", TimeWords.Tick(new DateTimeOffset(2026, 11, 26, 10, 7, 0, TimeSpan.FromHours(1)))));
    }

    [Theory]
    [InlineData(0, "0 ms")]
    [InlineData(0.85, "850 ms")]
    [InlineData(0.9996, "1.0 s")]
    [InlineData(1.23, "1.2 s")]
    [InlineData(59.94, "59.9 s")]
    [InlineData(59.96, "1 min")]
    [InlineData(184, "3 min 4 s")]
    [InlineData(300, "5 min")]
    [InlineData(3599.6, "1 h")]
    [InlineData(3900, "1 h 5 min")]
    [InlineData(90061, "25 h 1 min")]
    [InlineData(-2, "0 ms")]
    public void Duration_WritesTheOneOrTwoUnitsThatMatter_InEveryCulture(double seconds, string expected)
    {
        InEveryCulture(() =>
        {
            Assert.Equal(expected, TimeWords.Duration(seconds));
            Assert.Equal(expected, TimeWords.Duration(TimeSpan.FromSeconds(Math.Max(0, seconds))));
        });
    }

    [Fact]
    public void Duration_SaysADash_WhenThereIsNoDuration()
    {
        Assert.Equal("—", TimeWords.Duration((double?)null));
        Assert.Equal("—", TimeWords.Duration((TimeSpan?)null));
        Assert.Equal("—", TimeWords.Duration(double.NaN));
    }
}
