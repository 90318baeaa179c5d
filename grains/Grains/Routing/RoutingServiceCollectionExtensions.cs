using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using OrleansTenancy.GrainInterfaces;
using OrleansTenancy.Grains.Resilience;
using OrleansTenancy.Grains.Telemetry;
using OrleansTenancy.Grains.Tenants;
using OrleansTenancy.OpenRouter;
using OrleansTenancy.Tenancy.Context;
using OrleansTenancy.Tenancy.Pricing;

namespace OrleansTenancy.Grains.Routing;

/// <summary>Registration of the routing path.</summary>
public static class RoutingServiceCollectionExtensions
{
    /// <summary>
    /// Registers <see cref="ILlmRouter"/> with the OpenRouter client (<c>OpenRouter:*</c> configuration,
    /// <c>OPENROUTER_BASE_URL</c>, <c>OPENROUTER_API_KEY</c>), the price catalog shipped with the product, LLM metrics,
    /// the settlements sent behind answers and the strict-mode setting (<c>Tenancy:Strict</c>). The
    /// registry (<c>ITenantRegistrySource</c>), the Orleans silo and the silo's <see cref="ISettlementOutbox"/> (with
    /// <see cref="SettlementOptions"/> when it may answer once a settlement is kept) are registered by the host.
    /// </summary>
    public static IServiceCollection AddLlmRouter(this IServiceCollection services, IConfiguration configuration, Action<OpenRouterOptions>? configureUpstream = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configuration);
        services.AddOpenRouterClient(configuration, configureUpstream);
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton(_ => new PriceCatalogHolder(PriceCatalog.LoadEmbedded()));
        services.TryAddSingleton(sp =>
        {
            var tenants = new TenantGrainReferences(sp.GetRequiredService<IGrainFactory>());
            var options = sp.GetService<SettlementOptions>();
            var storeWithin = options?.StoreWithin ?? TimeSpan.Zero;
            return new BackgroundSettlements(
                pending => tenants.For(pending.Tenant).SettleAsync(
                    storeWithin > TimeSpan.Zero ? pending.Settlement with { StoreWithin = storeWithin } : pending.Settlement, pending.Details),
                sp.GetRequiredService<ISettlementOutbox>(),
                sp.GetRequiredService<TimeProvider>(),
                sp.GetRequiredService<ILogger<BackgroundSettlements>>(),
                options);
        });
        services.AddGrainCallRetry();
        services.TryAddSingleton(sp => new LlmMetrics(sp.GetService<System.Diagnostics.Metrics.IMeterFactory>()));
        services.AddOptions<TenancyOptions>().BindConfiguration("Tenancy");
        services.TryAddSingleton<ILlmRouter, LlmRouter>();
        return services;
    }
}
