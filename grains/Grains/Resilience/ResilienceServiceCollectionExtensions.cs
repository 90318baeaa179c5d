using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace OrleansTenancy.Grains.Resilience;

/// <summary>Registration of the grain-call retry rule.</summary>
public static class ResilienceServiceCollectionExtensions
{
    /// <summary>
    /// Registers <see cref="GrainCallRetry"/> with its default budget (<see cref="GrainCallRetryOptions"/>) and the
    /// system clock, unless they are registered already; every part of a silo that retries a grain call asks this one.
    /// </summary>
    public static IServiceCollection AddGrainCallRetry(this IServiceCollection services)
    {
        ArgumentNullException.ThrowIfNull(services);
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton(new GrainCallRetryOptions());
        services.TryAddSingleton<GrainCallRetry>();
        return services;
    }
}
