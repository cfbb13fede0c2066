using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Design;

namespace Apex.Coverage.Web.Data;

/// <summary>Lets `dotnet ef migrations add` build the model without starting the web host.</summary>
internal sealed class DesignTimeCoverageDbContextFactory : IDesignTimeDbContextFactory<CoverageDbContext>
{
    public CoverageDbContext CreateDbContext(string[] args) =>
        new(new DbContextOptionsBuilder<CoverageDbContext>().UseSqlite("Data Source=design-time.db").Options);
}
