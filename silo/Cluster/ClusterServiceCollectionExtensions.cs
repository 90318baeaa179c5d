using Orleans.Hosting;
using OrleansTenancy.Grains.Resilience;

namespace OrleansTenancy.Silo.Cluster;

/// <summary>Registers the cluster view.</summary>
public static class ClusterServiceCollectionExtensions
{
    /// <summary>
    /// Adds what every silo needs so that any silo can list the cluster: the <see cref="ISiloDetailsService"/> grain
    /// service each silo runs, its client, this silo's facts and the <see cref="IClusterView"/>. The host must provide
    /// the tenant registry (<c>ITenantRegistrySource</c>) and a <see cref="TimeProvider"/>.
    /// </summary>
    public static IServiceCollection AddTenancyClusterView(this IServiceCollection services)
    {
        ArgumentNullException.ThrowIfNull(services);
        services.AddGrainService<SiloDetailsService>();
        services.AddSingleton<SiloDetailsClient>();
        services.AddSingleton<ThisSilo>();
        services.AddGrainCallRetry();
        services.AddSingleton<IClusterView, ClusterView>();
        return services;
    }
}
