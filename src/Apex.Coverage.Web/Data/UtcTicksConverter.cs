using Microsoft.EntityFrameworkCore.Storage.ValueConversion;

namespace Apex.Coverage.Web.Data;

/// <summary>
/// The one way the dashboard stores a point in time, for every entity and on every provider: UTC
/// ticks in a 64-bit integer column. SQLite cannot order or compare DateTimeOffset text with
/// offsets; integers sort and compare the same on SQLite and PostgreSQL, and the raw SQL readers
/// read one column type everywhere. Applied to every DateTimeOffset (and nullable) property
/// through <see cref="CoverageDbContext"/>'s ConfigureConventions, never per property.
/// </summary>
public sealed class UtcTicksConverter() : ValueConverter<DateTimeOffset, long>(v => v.UtcTicks, v => new DateTimeOffset(v, TimeSpan.Zero))
{
    public static DateTimeOffset FromTicks(long ticks) => new(ticks, TimeSpan.Zero);
}
