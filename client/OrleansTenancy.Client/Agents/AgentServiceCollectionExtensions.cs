using Microsoft.Extensions.DependencyInjection.Extensions;
using OrleansTenancy.Client;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Adds agents to a service's container.</summary>
public static class AgentServiceCollectionExtensions
{
    /// <summary>
    /// Adds <typeparamref name="TAgent"/> as a singleton (agents hold declarations, no per-call state) and
    /// <see cref="ILlmTenants"/>, which it is made with.
    /// </summary>
    public static IServiceCollection AddAgent<TAgent>(this IServiceCollection services)
        where TAgent : Agent
    {
        ArgumentNullException.ThrowIfNull(services);
        services.AddLlmTenants();
        services.TryAddSingleton<TAgent>();
        return services;
    }
}
