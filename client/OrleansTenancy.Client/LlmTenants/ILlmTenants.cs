using System.Diagnostics.CodeAnalysis;
using OrleansTenancy.GrainInterfaces;

namespace OrleansTenancy.Client;

/// <summary>
/// The application's domain objects as LLM tenants: which types are tenants (<see cref="LlmTenantAttribute"/> or
/// <c>services.AddLlmTenant&lt;T&gt;</c>), the tenant of an object, and creating it in the cluster. Added by
/// <c>AddLlmTenant</c> or <c>AddLlmTenants</c>; a singleton.
/// </summary>
public interface ILlmTenants
{
    /// <summary>The cluster client every tenant's calls go through.</summary>
    TenancyClient Client { get; }

    /// <summary>The options <paramref name="type"/> is an LLM tenant with, or <see langword="null"/> when it is none.</summary>
    LlmTenantOptions? OptionsFor(Type type);

    /// <summary>
    /// The tenant of <paramref name="tenant"/>: an object of an LLM tenant type, an <see cref="LlmTenantId"/>, or an
    /// <see cref="LlmTenant"/> (returned as it is). Nothing is sent to the cluster.
    /// </summary>
    /// <exception cref="ArgumentException">
    /// <paramref name="tenant"/> is not an LLM tenant (the message names its type; a bare string is refused too: wrap an
    /// id in <see cref="LlmTenantId"/>), or its id is empty.
    /// </exception>
    [SuppressMessage("Naming", "CA1716:Identifiers should not match keywords", Justification = "tenants.For(organization) reads as intended in C#, the language of this API.")]
    LlmTenant For(object tenant);

    /// <summary>
    /// Makes sure the cluster has the tenant of <paramref name="tenant"/> (an object of an LLM tenant type or an
    /// <see cref="LlmTenantId"/>): creates it with its declared name, workspaces and budget, or links the tenant that
    /// already has that id (from the tenants folder or registered at run time) without changing it. Never creates a
    /// second tenant of one id; calling it again changes nothing.
    /// </summary>
    /// <exception cref="ArgumentException">
    /// <paramref name="tenant"/> is not an LLM tenant, its id is empty, or the cluster refuses a field of it (the
    /// message names the field, e.g. <c>id</c> or <c>daily_cap_usd</c>).
    /// </exception>
    Task<EnsuredLlmTenant> EnsureLlmTenantAsync(object tenant, CancellationToken cancellationToken = default);
}

/// <summary>The answer of <see cref="ILlmTenants.EnsureLlmTenantAsync"/>.</summary>
/// <param name="Tenant">The tenant handle.</param>
/// <param name="Registration">The tenant as the cluster holds it (for a linked one: as it was, unchanged), and its source.</param>
/// <param name="Created">Whether this call created it; <see langword="false"/> when an existing tenant was linked.</param>
public sealed record EnsuredLlmTenant(LlmTenant Tenant, RegisteredTenant Registration, bool Created);
