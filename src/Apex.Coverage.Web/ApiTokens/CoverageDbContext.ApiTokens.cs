using Apex.Coverage.Web.ApiTokens;
using Microsoft.EntityFrameworkCore;

namespace Apex.Coverage.Web.Data;

public partial class CoverageDbContext
{
    public DbSet<ApiToken> ApiTokens => Set<ApiToken>();
}
