using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.OpenApi;

namespace AgentHost.Server;

/// <summary>The API's OpenAPI document, made by ASP.NET Core's own generator from the endpoints and their records.</summary>
internal static class ApiDocument
{
    public static void AddTo(IServiceCollection services) => services.AddOpenApi("v1", options =>
    {
        options.AddDocumentTransformer((document, _, _) =>
        {
            document.Info = new OpenApiInfo
            {
                Title = "AgentHost API",
                Version = "v1",
                Description = "agent serve: sessions, prompts and runs, permission answers, questions for a person, workflow runs, events (SSE), models, plugins, tools and skills. Every request carries Authorization: Bearer TOKEN. See docs/server.md.",
            };
            document.Components ??= new OpenApiComponents();
            document.Components.SecuritySchemes ??= new Dictionary<string, IOpenApiSecurityScheme>();
            document.Components.SecuritySchemes["bearer"] = new OpenApiSecurityScheme { Type = SecuritySchemeType.Http, Scheme = "bearer" };
            document.Security ??= [];
            document.Security.Add(new OpenApiSecurityRequirement { [new OpenApiSecuritySchemeReference("bearer", document)] = [] });
            return Task.CompletedTask;
        });

        // Each operation says who may use it (x-access: admin, any, create, read:session, change:run, …), from the
        // metadata the one authorization step reads (RouteAuthorization), so clients and the route × role test see it.
        options.AddOperationTransformer((operation, context, _) =>
        {
            var metadata = context.Description.ActionDescriptor.EndpointMetadata;
            var access = metadata.OfType<AdminOnly>().Any() ? "admin" : metadata.OfType<RouteAccess>().LastOrDefault()?.Name;
            if (access is not null)
            {
                operation.Extensions ??= new Dictionary<string, IOpenApiExtension>();
                operation.Extensions["x-access"] = new JsonNodeExtension(System.Text.Json.Nodes.JsonValue.Create(access));
            }

            return Task.CompletedTask;
        });

        // The server writes numbers as JSON numbers; the generator, seeing the web defaults' AllowReadingFromString,
        // describes each as "integer or string with a pattern", which generated clients type as `number | string`.
        options.AddSchemaTransformer((schema, _, _) =>
        {
            if (schema.Type is { } type && (type & (JsonSchemaType.Integer | JsonSchemaType.Number)) != 0 && (type & JsonSchemaType.String) != 0)
            {
                schema.Type = type & ~JsonSchemaType.String;
                schema.Pattern = null;
            }

            return Task.CompletedTask;
        });
    });

    public static IEndpointConventionBuilder Map(WebApplication app, string path) => app.MapOpenApi(path);
}
