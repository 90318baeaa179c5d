using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using OrleansTenancy.Runtime.Diagnostics;
using OrleansTenancy.Runtime.Membership;
using OrleansTenancy.Runtime.Messaging;
using OrleansTenancy.Runtime.Metadata;

namespace OrleansTenancy.Runtime.Hosting;

/// <summary>Adds the grain runtime (a silo run by a hosted service) to a service collection.</summary>
public static class GrainRuntimeServiceCollectionExtensions
{
    /// <summary>
    /// Adds a silo: the grain runtime, its options (validated at start), an <see cref="IGrainFactory"/> for
    /// the host's own code and an <see cref="IHostedService"/> that starts the silo and, on stop, deactivates
    /// every activation. Without further configuration it is a single-silo cluster (in-memory membership).
    /// </summary>
    public static GrainRuntimeBuilder AddGrainRuntime(this IServiceCollection services, Action<GrainRuntimeOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        var existing = services.FirstOrDefault(d => d.ServiceType == typeof(GrainAssemblyList))?.ImplementationInstance as GrainAssemblyList;
        var assemblies = existing ?? new GrainAssemblyList();
        var builder = new GrainRuntimeBuilder(services, assemblies);
        var options = services.AddOptions<GrainRuntimeOptions>();
        if (configure is not null)
        {
            options.Configure(configure);
        }

        if (existing is not null)
        {
            return builder;
        }

        options.ValidateOnStart();
        services.AddSingleton(assemblies);
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<GrainRuntimeOptions>, GrainRuntimeOptionsValidator>());
        services.AddLogging();
        services.AddMetrics();
        services.AddOptions<GrainSerializationOptions>();
        builder.AddCoreServices();
        services.TryAddSingleton<RuntimeMetrics>();
        services.TryAddSingleton(sp => new GrainTypeRegistry(sp.GetRequiredService<GrainAssemblyList>().Assemblies));
        services.TryAddSingleton(sp => new Silo(
            sp.GetRequiredService<IOptions<GrainRuntimeOptions>>().Value,
            sp.GetRequiredService<GrainTypeRegistry>(),
            sp.GetRequiredService<IMembershipTable>(),
            sp.GetRequiredService<IMessageTransport>(),
            sp.GetRequiredService<IOptions<GrainSerializationOptions>>().Value,
            sp.GetRequiredService<TimeProvider>(),
            sp,
            sp.GetRequiredService<RuntimeMetrics>(),
            sp.GetRequiredService<ILoggerFactory>()));
        services.TryAddSingleton(sp => sp.GetRequiredService<Silo>().GrainFactory);
        services.AddHostedService<SiloHostedService>();
        return builder;
    }
}

/// <summary>Starts the silo with the host and stops it (deactivating all activations) when the host stops.</summary>
internal sealed class SiloHostedService(Silo silo, IOptions<GrainRuntimeOptions> options, ILogger<SiloHostedService> logger) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        var o = options.Value;
        logger.LogInformation(
            "Grain runtime options: CollectionAge={CollectionAge}, CollectionQuantum={CollectionQuantum}, ResponseTimeout={ResponseTimeout}, "
            + "ActivationTimeout={ActivationTimeout}, DeactivationTimeout={DeactivationTimeout}, MaxStatelessWorkersPerSilo={MaxWorkers}, "
            + "DefaultStorageName={DefaultStorage}, MaxForwardCount={MaxForward}, Silo={Host}:{Port}",
            o.CollectionAge, o.CollectionQuantum, o.ResponseTimeout, o.ActivationTimeout, o.DeactivationTimeout, o.MaxStatelessWorkersPerSilo,
            o.DefaultStorageName, o.MaxForwardCount, o.SiloHost, o.SiloPort);
        return silo.StartAsync(cancellationToken);
    }

    public Task StopAsync(CancellationToken cancellationToken) => silo.StopAsync(cancellationToken);
}
