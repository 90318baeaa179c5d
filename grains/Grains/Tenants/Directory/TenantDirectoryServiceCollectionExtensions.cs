using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using OrleansTenancy.Tenancy.Registry;

namespace OrleansTenancy.Grains.Tenants.Directory;

/// <summary>Registers the tenant directory on a silo.</summary>
public static class TenantDirectoryServiceCollectionExtensions
{
    private const string FolderRegistryKey = "tenants-folder";

    /// <summary>
    /// Makes the silo serve runtime tenants: the <see cref="ITenantRegistrySource"/> registered so far (the tenants
    /// folder) becomes <see cref="MergedTenantRegistrySource.Yaml"/>, and <see cref="ITenantRegistrySource"/> is the
    /// merge with the directory's runtime tenants, kept current by pushes (<see cref="ITenantDirectoryReplica"/>) and a
    /// version poll (<see cref="TenantDirectorySync"/>).
    /// </summary>
    /// <exception cref="InvalidOperationException">No <see cref="ITenantRegistrySource"/> is registered yet.</exception>
    public static IServiceCollection AddTenantDirectory(this IServiceCollection services, Action<TenantDirectoryOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        var folder = services.LastOrDefault(d => d.ServiceType == typeof(ITenantRegistrySource) && !d.IsKeyedService)
            ?? throw new InvalidOperationException("Register the tenants folder's ITenantRegistrySource before AddTenantDirectory.");
        services.Remove(folder);
        if (folder.ImplementationInstance is ITenantRegistrySource instance)
        {
            // Registered as an instance, so the container leaves its disposal to whoever made it, as before.
            services.AddKeyedSingleton(FolderRegistryKey, instance);
        }
        else
        {
            services.AddKeyedSingleton<ITenantRegistrySource>(FolderRegistryKey, (sp, _) => folder.ImplementationFactory is { } factory
                ? (ITenantRegistrySource)factory(sp)
                : (ITenantRegistrySource)ActivatorUtilities.CreateInstance(sp, folder.ImplementationType!));
        }

        services.AddSingleton(sp => new MergedTenantRegistrySource(sp.GetRequiredKeyedService<ITenantRegistrySource>(FolderRegistryKey)));
        services.AddSingleton<ITenantRegistrySource>(sp => sp.GetRequiredService<MergedTenantRegistrySource>());

        var options = services.AddOptions<TenantDirectoryOptions>().ValidateOnStart();
        if (configure is not null)
        {
            options.Configure(configure);
        }

        services.AddSingleton<IValidateOptions<TenantDirectoryOptions>, TenantDirectoryOptionsValidator>();
        services.AddGrainService<TenantDirectoryReplica>();
        services.AddSingleton<TenantDirectoryReplicaClient>();
        services.AddSingleton<TenantDirectoryPublisher>();
        services.AddSingleton<TenantDirectorySync>();
        services.AddSingleton<ILifecycleParticipant<ISiloLifecycle>>(sp => sp.GetRequiredService<TenantDirectorySync>());
        return services;
    }
}
