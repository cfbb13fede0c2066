using Apex.Coverage.Web.ApiTokens;
using Microsoft.OpenApi;
using Scalar.AspNetCore;

namespace Apex.Coverage.Web.Hosting;

/// <summary>
/// The OpenAPI document of the dashboard's API (/openapi/v1.json) and an interactive page over it
/// (/scalar/v1). Endpoints that need an API token say so with the bearer scheme.
/// </summary>
public static class ApiDocumentation
{
    private const string SchemeName = "Bearer";

    public static IHostApplicationBuilder AddApiDocumentation(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOpenApi(options =>
        {
            options.AddDocumentTransformer((document, _, _) =>
            {
                document.Info.Title = "Apex Coverage API";
                document.Components ??= new OpenApiComponents();
                document.Components.SecuritySchemes ??= new Dictionary<string, IOpenApiSecurityScheme>();
                document.Components.SecuritySchemes[SchemeName] = new OpenApiSecurityScheme
                {
                    Type = SecuritySchemeType.Http,
                    Scheme = "bearer",
                    Description = "An API token from the Settings page or 'dotnet Apex.Coverage.Web.dll tokens create --name ci'.",
                };
                return Task.CompletedTask;
            });
            options.AddOperationTransformer((operation, context, _) =>
            {
                if (context.Description.ActionDescriptor.EndpointMetadata.OfType<ApiTokenRequiredMetadata>().Any())
                {
                    operation.Security ??= [];
                    operation.Security.Add(new OpenApiSecurityRequirement { [new OpenApiSecuritySchemeReference(SchemeName, context.Document)] = [] });
                }

                return Task.CompletedTask;
            });
        });
        return builder;
    }

    public static WebApplication MapApiDocumentation(this WebApplication app)
    {
        app.MapOpenApi();
        app.MapScalarApiReference(options => options.WithTitle("Apex Coverage API"));
        return app;
    }
}
