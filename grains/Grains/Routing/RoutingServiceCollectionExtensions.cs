using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using OrleansTenancy.Grains.Telemetry;
using OrleansTenancy.OpenRouter;
using OrleansTenancy.Tenancy.Context;
using OrleansTenancy.Tenancy.Pricing;

namespace OrleansTenancy.Grains.Routing;

/// <summary>Registration of the routing path.</summary>
public static class RoutingServiceCollectionExtensions
{
    /// <summary>
    /// Registers <see cref="ILlmRouter"/> with the OpenRouter client (<c>OpenRouter:*</c> configuration,
    /// <c>OPENROUTER_BASE_URL</c>, <c>OPENROUTER_API_KEY</c>), the price catalog shipped with the product, per-tenant rate
    /// limits, LLM metrics and the strict-mode setting (<c>Tenancy:Strict</c>). The registry
    /// (<c>ITenantRegistrySource</c>) and the Orleans silo are registered by the host.
    /// </summary>
    public static IServiceCollection AddLlmRouter(this IServiceCollection services, IConfiguration configuration, Action<OpenRouterOptions>? configureUpstream = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configuration);
        services.AddOpenRouterClient(configuration, configureUpstream);
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton(_ => new PriceCatalogHolder(PriceCatalog.LoadEmbedded()));
        services.TryAddSingleton<TenantRateLimiter>();
        services.TryAddSingleton<BackgroundSettlements>();
        services.TryAddSingleton(sp => new LlmMetrics(sp.GetService<System.Diagnostics.Metrics.IMeterFactory>()));
        services.AddOptions<TenancyOptions>().BindConfiguration("Tenancy");
        services.TryAddSingleton<ILlmRouter, LlmRouter>();
        return services;
    }
}
