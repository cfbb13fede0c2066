namespace Apex.Coverage.Web.Source;

public static class SourceHostingExtensions
{
    /// <summary>The repository's C# sources for the source page (a surviving mutant's line).</summary>
    public static WebApplicationBuilder AddSource(this WebApplicationBuilder builder)
    {
        builder.Services.AddSingleton<SourceFiles>();
        return builder;
    }
}
