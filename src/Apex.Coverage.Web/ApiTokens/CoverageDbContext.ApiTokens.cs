using Apex.Coverage.Web.ApiTokens;
using Microsoft.EntityFrameworkCore;

namespace Apex.Coverage.Web.Data;

public sealed partial class CoverageDbContext
{
    public DbSet<ApiToken> ApiTokens => Set<ApiToken>();
}
