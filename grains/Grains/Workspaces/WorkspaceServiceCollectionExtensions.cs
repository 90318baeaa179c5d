using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace OrleansTenancy.Grains.Workspaces;

/// <summary>Registers what <see cref="WorkspaceGrain"/> needs from the silo's services.</summary>
public static class WorkspaceServiceCollectionExtensions
{
    /// <summary>
    /// Registers <see cref="WorkspaceMemoryOptions"/> with their validator (checked at start). Without this call the
    /// grain runs on the documented defaults.
    /// </summary>
    /// <param name="services">The silo's services.</param>
    /// <param name="configure">Adjusts the limits.</param>
    /// <returns><paramref name="services"/>.</returns>
    public static IServiceCollection AddWorkspaceMemory(this IServiceCollection services, Action<WorkspaceMemoryOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        var options = services.AddOptions<WorkspaceMemoryOptions>();
        if (configure is not null)
        {
            options.Configure(configure);
        }

        options.ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<WorkspaceMemoryOptions>, WorkspaceMemoryOptionsValidator>());
        return services;
    }
}
