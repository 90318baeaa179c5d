using System.Globalization;
using System.Text.Json.Serialization;
using Microsoft.AspNetCore.Mvc;
using OrleansTenancy.Silo.Gateway;
using OrleansTenancy.Tenancy;
using OrleansTenancy.Tenancy.Pricing;
using OrleansTenancy.Tenancy.Registry;

namespace OrleansTenancy.Silo.Apis;

/// <summary>
/// <c>GET /v1/models</c> and <c>GET /v1/models/{id}</c>, OpenAI-compatible: the models the caller's workspace may use
/// (its allowed models; every priced model when the allow-list is empty), with OpenRouter-style per-token prices.
/// </summary>
public static class ModelsApi
{
    private static readonly Lazy<PriceCatalog> Embedded = new(PriceCatalog.LoadEmbedded);

    /// <summary>Maps the model routes.</summary>
    public static RouteGroupBuilder MapModelsApi(this IEndpointRouteBuilder app)
    {
        ArgumentNullException.ThrowIfNull(app);
        var models = app.MapGroup("/v1/models");
        models.MapGet("/", ListModelsAsync)
            .WithName("ListModels")
            .WithSummary("The models the caller's tenant workspace may use, with per-token prices.");
        models.MapGet("/{**id}", GetModelAsync)
            .WithName("GetModel")
            .WithSummary("One model the caller's workspace may use; 404 otherwise.");
        return models;
    }

    /// <summary>Lists the caller's models.</summary>
    public static async Task ListModelsAsync(HttpContext http, [FromServices] CallerAuthenticator authenticator, [FromServices] ITenantRegistrySource registry, [FromServices] IServiceProvider services)
    {
        ArgumentNullException.ThrowIfNull(http);
        ArgumentNullException.ThrowIfNull(authenticator);
        ArgumentNullException.ThrowIfNull(registry);
        if (!TryResolve(http, authenticator, out var context, out var error))
        {
            await error.WriteAsync(http.Response, http.RequestAborted);
            return;
        }

        var entries = Entries(registry.Current, context, Catalog(services));
        await Results.Json(new ModelList("list", entries)).ExecuteAsync(http);
    }

    /// <summary>Describes one of the caller's models.</summary>
    public static async Task GetModelAsync(HttpContext http, string id, [FromServices] CallerAuthenticator authenticator, [FromServices] ITenantRegistrySource registry, [FromServices] IServiceProvider services)
    {
        ArgumentNullException.ThrowIfNull(http);
        ArgumentNullException.ThrowIfNull(authenticator);
        ArgumentNullException.ThrowIfNull(registry);
        if (!TryResolve(http, authenticator, out var context, out var error))
        {
            await error.WriteAsync(http.Response, http.RequestAborted);
            return;
        }

        // Clients escape the '/' of a model id (openai%2Fgpt-4o-mini); routing leaves %2F encoded.
        id = Uri.UnescapeDataString(id);
        var entry = Entries(registry.Current, context, Catalog(services)).FirstOrDefault(e => string.Equals(e.Id, id, StringComparison.OrdinalIgnoreCase));
        if (entry is null)
        {
            await GatewayError.Of(StatusCodes.Status404NotFound, GatewayError.NotFound, "model_not_found",
                $"Model '{id}' is not available to {context}; GET /v1/models lists the ones that are.", "model").WriteAsync(http.Response, http.RequestAborted);
            return;
        }

        await Results.Json(entry).ExecuteAsync(http);
    }

    private static bool TryResolve(HttpContext http, CallerAuthenticator authenticator, out TenantContext context, [System.Diagnostics.CodeAnalysis.NotNullWhen(false)] out GatewayError? error)
    {
        context = default;
        if (!authenticator.TryAuthenticate(http.Request, out var caller, out error)
            || !authenticator.TryResolveEffective(caller, out var effective, out error))
        {
            return false;
        }

        context = effective.Context;
        return true;
    }

    private static PriceCatalog Catalog(IServiceProvider services) =>
        services.GetService<PriceCatalogHolder>()?.Current ?? Embedded.Value;

    private static List<ModelEntry> Entries(TenantRegistry registry, TenantContext context, PriceCatalog catalog)
    {
        var routing = registry.GetRouting(context);
        IEnumerable<string> ids = routing.AllowedModels.Count > 0 ? routing.AllowedModels : catalog.Models;
        return [.. ids.Distinct(StringComparer.OrdinalIgnoreCase).Order(StringComparer.Ordinal).Select(id =>
        {
            var price = routing.Pricing.TryGetValue(id, out var own) ? own : catalog.TryGet(id, out var listed) ? listed : null;
            var slash = id.IndexOf('/', StringComparison.Ordinal);
            return new ModelEntry(
                id,
                "model",
                0,
                slash > 0 ? id[..slash] : "openrouter",
                price is null ? null : new ModelPricing(
                    price.PromptPerToken.ToString(CultureInfo.InvariantCulture),
                    price.CompletionPerToken.ToString(CultureInfo.InvariantCulture)),
                price?.ContextLength);
        })];
    }
}

/// <summary>Body of <c>GET /v1/models</c> (OpenAI's list shape).</summary>
/// <param name="ObjectType">Always <c>list</c>.</param>
/// <param name="Data">The models.</param>
public sealed record ModelList([property: JsonPropertyName("object")] string ObjectType, IReadOnlyList<ModelEntry> Data);

/// <summary>One model (OpenAI's shape plus OpenRouter's <c>pricing</c> and <c>context_length</c>).</summary>
/// <param name="Id">The model id, e.g. <c>openai/gpt-4o-mini</c>.</param>
/// <param name="ObjectType">Always <c>model</c>.</param>
/// <param name="Created">Unix time the model was created; 0, as the registry does not know it.</param>
/// <param name="OwnedBy">The vendor prefix of the id.</param>
/// <param name="Pricing">USD per token as decimal strings, when a price is known.</param>
/// <param name="ContextLength">The context window in tokens, when known.</param>
public sealed record ModelEntry(string Id, [property: JsonPropertyName("object")] string ObjectType, long Created, string OwnedBy, ModelPricing? Pricing, int? ContextLength);

/// <summary>OpenRouter-style prices: USD per token as decimal strings.</summary>
/// <param name="Prompt">Per prompt token.</param>
/// <param name="Completion">Per completion token.</param>
public sealed record ModelPricing(string Prompt, string Completion);
