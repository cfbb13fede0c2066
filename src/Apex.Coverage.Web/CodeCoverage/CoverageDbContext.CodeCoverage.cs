using Apex.Coverage.Web.CodeCoverage;
using Microsoft.EntityFrameworkCore;

namespace Apex.Coverage.Web.Data;

public partial class CoverageDbContext
{
    public DbSet<RunCodeCoverage> RunCodeCoverage => Set<RunCodeCoverage>();

    public DbSet<ModuleCodeCoverage> ModuleCodeCoverage => Set<ModuleCodeCoverage>();

    public DbSet<FileCodeCoverage> FileCodeCoverage => Set<FileCodeCoverage>();
}
