using System.Reflection;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Orleans.Runtime.Services;
using OrleansTenancy.Tenancy.Registry;

namespace OrleansTenancy.Silo.Cluster;

/// <summary>This silo's side of <see cref="ISiloDetailsService"/>: it reads the facts as they are when asked.</summary>
internal sealed class SiloDetailsService(GrainId id, Orleans.Runtime.Silo silo, ILoggerFactory loggers, ThisSilo thisSilo)
    : GrainService(id, silo, loggers), ISiloDetailsService
{
    public Task<SiloDetails> GetDetailsAsync() => Task.FromResult(thisSilo.Describe());
}

/// <summary>Reaches the <see cref="ISiloDetailsService"/> of a given silo.</summary>
public sealed class SiloDetailsClient(IServiceProvider services) : GrainServiceClient<ISiloDetailsService>(services)
{
    /// <summary>The details service on <paramref name="silo"/>.</summary>
    public ISiloDetailsService On(SiloAddress silo) => GetGrainService(silo);
}

/// <summary>The facts of the silo this process runs, read when asked: the registry and the HTTP addresses can change.</summary>
public sealed class ThisSilo
{
    private readonly ITenantRegistrySource _registry;
    private readonly IServiceProvider _services;

    /// <summary>Creates the facts.</summary>
    /// <param name="registry">The tenant registry this silo serves.</param>
    /// <param name="services">The host's services, for the HTTP server when there is one.</param>
    public ThisSilo(ITenantRegistrySource registry, IServiceProvider services)
    {
        _registry = registry ?? throw new ArgumentNullException(nameof(registry));
        _services = services ?? throw new ArgumentNullException(nameof(services));
    }

    /// <summary>The product version: the silo assembly's informational version without build metadata.</summary>
    public static string ProductVersion { get; } =
        typeof(ThisSilo).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion.Split('+')[0] ?? "unknown";

    /// <summary>The facts as of now.</summary>
    public SiloDetails Describe()
    {
        var registry = _registry.Current;
        var addresses = _services.GetService<IServer>()?.Features.Get<IServerAddressesFeature>()?.Addresses.ToArray() ?? [];
        return new SiloDetails(ProductVersion, addresses, registry.ContentHash, registry.Tenants.Count);
    }
}
