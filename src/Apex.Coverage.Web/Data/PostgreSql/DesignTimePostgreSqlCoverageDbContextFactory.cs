using Microsoft.EntityFrameworkCore.Design;

namespace Apex.Coverage.Web.Data.PostgreSql;

/// <summary>
/// Lets `dotnet ef migrations add X --context PostgreSqlCoverageDbContext --output-dir
/// Data/PostgreSql/Migrations` build the model without a server (adding a migration never connects).
/// </summary>
internal sealed class DesignTimePostgreSqlCoverageDbContextFactory : IDesignTimeDbContextFactory<PostgreSqlCoverageDbContext>
{
    public PostgreSqlCoverageDbContext CreateDbContext(string[] args) =>
        new(PostgreSqlCoverageDbContext.Options("Host=localhost;Database=apex_design_time"));
}
