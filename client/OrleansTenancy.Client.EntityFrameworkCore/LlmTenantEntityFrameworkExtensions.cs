using Microsoft.Extensions.DependencyInjection;
using OrleansTenancy.Client;
using OrleansTenancy.Client.EntityFrameworkCore;

namespace Microsoft.EntityFrameworkCore;

/// <summary>Makes a <see cref="DbContext"/> create the cluster tenant of each LLM tenant entity it inserts.</summary>
/// <example>
/// <code>
/// services.AddOrleansTenancyClient();
/// services.AddLlmTenant&lt;Organization&gt;(t => t.Id(o => o.Slug));
/// services.AddDbContext&lt;AppDb&gt;((sp, db) => db.UseSqlite("Data Source=app.db").UseLlmTenants(sp));
/// </code>
/// </example>
public static class LlmTenantEntityFrameworkExtensions
{
    /// <summary>
    /// Adds a <see cref="LlmTenantSaveChangesInterceptor"/> over the <see cref="ILlmTenants"/> of
    /// <paramref name="services"/> to the context's interceptors.
    /// </summary>
    /// <exception cref="InvalidOperationException">The service has no <see cref="ILlmTenants"/> (add <c>AddLlmTenant&lt;T&gt;</c> or <c>AddLlmTenants</c>).</exception>
    public static DbContextOptionsBuilder UseLlmTenants(this DbContextOptionsBuilder options, IServiceProvider services)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(services);
        var tenants = services.GetService<ILlmTenants>()
            ?? throw new InvalidOperationException("UseLlmTenants needs ILlmTenants: call services.AddLlmTenant<T>() or services.AddLlmTenants().");
        return options.AddInterceptors(new LlmTenantSaveChangesInterceptor(tenants));
    }

    /// <summary>
    /// Adds a <see cref="LlmTenantSaveChangesInterceptor"/> over the <see cref="ILlmTenants"/> of
    /// <paramref name="services"/> to the context's interceptors.
    /// </summary>
    /// <exception cref="InvalidOperationException">The service has no <see cref="ILlmTenants"/>.</exception>
    public static DbContextOptionsBuilder<TContext> UseLlmTenants<TContext>(this DbContextOptionsBuilder<TContext> options, IServiceProvider services)
        where TContext : DbContext =>
        (DbContextOptionsBuilder<TContext>)UseLlmTenants((DbContextOptionsBuilder)options, services);
}
