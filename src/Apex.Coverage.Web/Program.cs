using Apex.Coverage.Web.Access;
using Apex.Coverage.Web.ApiTokens;
using Apex.Coverage.Web.Hosting;

if (await TokenCommandLine.TryRunAsync(args) || await UserCommandLine.TryRunAsync(args))
{
    return;
}

var builder = WebApplication.CreateBuilder(args);
builder.AddCoverageDashboard();

var app = builder.Build();
app.MapCoverageDashboard();

await app.RunAsync();

/// <summary>Entry point, visible to the host-based tests (WebApplicationFactory).</summary>
public partial class Program;
