using Microsoft.Extensions.DependencyInjection.Extensions;
using OrleansTenancy.Client;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Declares the application's domain types as LLM tenants and adds <see cref="ILlmTenants"/>.</summary>
public static class LlmTenantServiceCollectionExtensions
{
    /// <summary>
    /// Makes <typeparamref name="T"/> an LLM tenant with the options <paramref name="configure"/> sets (see
    /// <see cref="LlmTenantBuilder{T}"/>; every option left out keeps its default), and adds <see cref="ILlmTenants"/>.
    /// This registration wins over an <see cref="LlmTenantAttribute"/> on the class; without
    /// <paramref name="configure"/> the attribute's options apply, else the defaults. The cluster client is added
    /// separately (<c>AddOrleansTenancyClient</c>).
    /// </summary>
    /// <exception cref="ArgumentException">The id or name member named does not exist on <typeparamref name="T"/>.</exception>
    public static IServiceCollection AddLlmTenant<T>(this IServiceCollection services, Action<LlmTenantBuilder<T>>? configure = null)
        where T : class
    {
        ArgumentNullException.ThrowIfNull(services);
        LlmTenantOptions options;
        if (configure is null && LlmTenantDeclarations.FromAttribute(typeof(T)) is { } declared)
        {
            options = declared;
        }
        else
        {
            var builder = new LlmTenantBuilder<T>();
            configure?.Invoke(builder);
            options = builder.Build();
        }

        services.AddSingleton(options);
        return services.AddLlmTenants();
    }

    /// <summary>
    /// Adds <see cref="ILlmTenants"/>: the types registered with <see cref="AddLlmTenant{T}"/> and every class that
    /// carries <see cref="LlmTenantAttribute"/> are LLM tenants. Adding it twice changes nothing.
    /// </summary>
    public static IServiceCollection AddLlmTenants(this IServiceCollection services)
    {
        ArgumentNullException.ThrowIfNull(services);
        services.TryAddSingleton(sp => new LlmTenantDeclarations(sp.GetServices<LlmTenantOptions>()));
        services.TryAddSingleton<ILlmTenants, LlmTenants>();
        return services;
    }
}
